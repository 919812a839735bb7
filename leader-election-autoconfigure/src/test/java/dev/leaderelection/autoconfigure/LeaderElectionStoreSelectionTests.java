package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.leaderelection.redis.RedisLeaseStore;
import dev.leaderelection.store.LeaseStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class LeaderElectionStoreSelectionTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    DataRedisAutoConfiguration.class,
                    LeaderElectionStoreAutoConfiguration.class,
                    LeaderElectionRedisAutoConfiguration.class))
            // the store beans are only created, never started: no server is needed
            .withPropertyValues("spring.data.redis.port=1");

    @Test
    void runWithTheOnlyStoreOnTheClasspathShouldUseItWithoutASetting() {
        contextRunner.run(context -> {
            assertThat(context).hasSingleBean(RedisLeaseStore.class);
            assertThat(context.getBean(StoreSelection.class).store()).isEqualTo("redis");
        });
    }

    @Test
    void runWithStoreSetInAnyCaseShouldUseIt() {
        contextRunner
                .withPropertyValues("leader.election.store= Redis ")
                .run(context -> assertThat(context).hasSingleBean(RedisLeaseStore.class));
    }

    @Test
    void runWithAnUnknownStoreShouldFailNamingThePropertyAndTheValidStores() {
        contextRunner.withPropertyValues("leader.election.store=mongo").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(InvalidLeaderElectionPropertiesException.class)
                    .hasMessage("leader.election.store is 'mongo', but must be one of redis, jdbc, etcd, zookeeper, "
                            + "kubernetes, file");
        });
    }

    @Test
    void runWithAStoreWhoseModuleIsMissingShouldFailNamingTheStarter() {
        contextRunner.withPropertyValues("leader.election.store=jdbc").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessage("leader.election.store is 'jdbc', but the jdbc store is not on the classpath: add the "
                            + "dependency leader-election-starter-jdbc, or pick one of redis");
        });
    }

    @Test
    void runWithoutAnyStoreModuleShouldCreateNoStore() {
        contextRunner
                .withClassLoader(new FilteredClassLoader(RedisLeaseStore.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(LeaseStore.class);
                });
    }

    @Test
    void severalStoreModulesWithoutASettingShouldFailNamingThem() {
        assertThatExceptionOfType(InvalidLeaderElectionPropertiesException.class)
                .isThrownBy(() -> new StoreSelection(null, List.of("redis", "jdbc")))
                .withMessage("several store modules are on the classpath (redis, jdbc); set leader.election.store to "
                        + "the one to elect through")
                .satisfies(failure -> assertThat(failure.properties()).containsExactly("leader.election.store"));
    }

    @Test
    void severalStoreModulesWithASettingShouldPickTheOneNamed() {
        assertThat(new StoreSelection("jdbc", List.of("redis", "jdbc")).store()).isEqualTo("jdbc");
    }
}
