package dev.leaderelection.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.testing.store.StoreServers;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * One jar for every store: the profile named after the store sets {@code leader.election.store}, and
 * either of the two picks the other. Reads the sample app's configuration files only: no bean starts.
 */
class StoreProfilesTest {

    @Test
    void withoutAChoiceTheRedisProfileIsActive() {
        assertStoreAndProfile("redis");
    }

    @Test
    void theStorePropertyPicksTheProfile() {
        assertStoreAndProfile("redis", "--leader.election.store=redis");
    }

    @Test
    void theProfilePicksTheStore() {
        assertStoreAndProfile("redis", "--spring.profiles.active=redis");
    }

    @Test
    void theJdbcProfileKeepsRedisInactiveAndTheRedisProfileKeepsTheDataSourceInactive() {
        assertStoreAndProfile("jdbc", "--leader.election.store=jdbc");
        assertStoreAndProfile("jdbc", "--spring.profiles.active=jdbc");
        assertThat(excludes("jdbc"))
                .contains("org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
                .doesNotContain("DataSourceAutoConfiguration");
        assertThat(excludes("redis"))
                .contains("org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
                .contains(
                        "org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration")
                .doesNotContain("DataRedisAutoConfiguration");
    }

    @Test
    void everyOtherStoresProfileKeepsBothRedisAndTheDataSourceInactive() {
        for (String store : new String[] {"etcd", "zookeeper", "kubernetes", "file"}) {
            assertStoreAndProfile(store, "--spring.profiles.active=" + store);
            assertThat(excludes(store))
                    .as("spring.autoconfigure.exclude of application-" + store + ".properties")
                    .contains("org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
                    .contains("org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
                    .contains(
                            "org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration");
        }
    }

    @Test
    void everyStoreProfileOnTheClassPathNamesItsOwnStore() throws IOException {
        int profiles = 0;
        for (String store : StoreServers.KNOWN) {
            try (InputStream in = getClass().getResourceAsStream("/application-" + store + ".properties")) {
                if (in == null) {
                    continue;
                }
                Properties properties = new Properties();
                properties.load(in);
                assertThat(properties.getProperty("leader.election.store"))
                        .as("leader.election.store in application-" + store + ".properties")
                        .isEqualTo(store);
                profiles++;
            }
        }
        assertThat(profiles).as("store profiles").isPositive();
    }

    private static String excludes(String profile) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ConfigFilesOnly.class)
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off")
                .run("--spring.profiles.active=" + profile)) {
            return context.getEnvironment().getProperty("spring.autoconfigure.exclude", "");
        }
    }

    private static void assertStoreAndProfile(String store, String... args) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ConfigFilesOnly.class)
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off")
                .run(args)) {
            Environment environment = context.getEnvironment();
            assertThat(
                            environment.getActiveProfiles().length == 0
                                    ? environment.getDefaultProfiles()
                                    : environment.getActiveProfiles())
                    .containsExactly(store);
            assertThat(environment.getProperty("leader.election.store")).isEqualTo(store);
        }
    }

    /** No beans, no auto-configuration: the application's configuration files and profiles only. */
    @Configuration(proxyBeanMethods = false)
    static class ConfigFilesOnly {}
}
