package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.jdbc.JdbcLeaseStore;
import dev.leaderelection.redis.RedisLeaseStore;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.testing.postgres.PostgresServerExtension;
import dev.leaderelection.testing.postgres.ProcessPostgresServer;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.ClassUtils;

/**
 * The PostgreSQL store on the application's DataSource, against a real PostgreSQL. Runs in the
 * surefire execution {@code jdbc-store-tests} (see the pom): the other tests run without the jdbc
 * module, as its presence next to the Redis one would make them pick a store.
 */
class LeaderElectionJdbcAutoConfigurationTests {

    @RegisterExtension
    @Order(1)
    static final BeforeAllCallback jdbcModulePresent = context -> Assumptions.assumeTrue(
            ClassUtils.isPresent("dev.leaderelection.jdbc.JdbcLeaseStore", null),
            "runs in the surefire execution jdbc-store-tests, where leader-election-jdbc is on the classpath");

    @RegisterExtension
    @Order(2)
    static final PostgresServerExtension postgres = new PostgresServerExtension();

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    DataSourceAutoConfiguration.class,
                    LeaderElectionStoreAutoConfiguration.class,
                    LeaderElectionJdbcAutoConfiguration.class,
                    LeaderElectionAutoConfiguration.class))
            // the Redis module is on this test classpath too: keep it out, as an application with
            // only the jdbc starter would
            .withClassLoader(new FilteredClassLoader(RedisLeaseStore.class))
            .withPropertyValues(
                    "spring.datasource.url=" + postgres.server().jdbcUrl(),
                    "spring.datasource.username=" + ProcessPostgresServer.USER,
                    "leader.election.lease-duration=2s",
                    "leader.election.renew-interval=500ms",
                    "leader.election.operation-timeout=700ms");

    @Test
    void runWithTheJdbcModuleAloneShouldElectThroughTheApplicationsDataSource() {
        contextRunner.withPropertyValues("leader.election.name=autoconfigured").run(context -> {
            assertThat(context).hasNotFailed();
            JdbcLeaseStore store = context.getBean(JdbcLeaseStore.class);
            assertThat(store.table()).isEqualTo("leader_election_lease");
            assertThat(store.statementTimeout()).isEqualTo(Duration.ofMillis(700));
            assertThat(context.getBean(StoreSelection.class).store()).isEqualTo("jdbc");
            LeaderElector elector = context.getBean(LeaderElector.class);
            // the first grant of a new election waits one lease (restart guard)
            await().atMost(Duration.ofSeconds(10)).until(elector::isLeader);
        });
    }

    @Test
    void runWithAConfiguredTableShouldCreateIt() {
        contextRunner
                .withPropertyValues("leader.election.jdbc.table=custom_lease")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    postgres.server().execute("SELECT count(*) FROM custom_lease, custom_lease_candidates");
                });
    }

    @Test
    void runWithInitializeSchemaNeverAndNoTableShouldFailShowingTheDdl() {
        contextRunner
                .withPropertyValues(
                        "leader.election.jdbc.table=dba_owned", "leader.election.jdbc.initialize-schema=never")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .hasStackTraceContaining("[dba_owned, dba_owned_fencing, dba_owned_candidates]")
                            .hasStackTraceContaining("leader.election.jdbc.initialize-schema=never")
                            .hasStackTraceContaining("CREATE TABLE IF NOT EXISTS dba_owned (");
                });
    }

    @Test
    void runWithABadTableNameShouldFailNamingTheProperty() {
        contextRunner.withPropertyValues("leader.election.jdbc.table=bad-name;").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(IllegalArgumentException.class);
            assertThat(context.getStartupFailure())
                    .hasStackTraceContaining("leader.election.jdbc.table ('bad-name;') must be an unquoted");
        });
    }

    @Test
    void runWithAUserStoreShouldBackOff() {
        contextRunner
                .withBean("userStore", LeaseStore.class, () -> new LeaseStore() {
                    @Override
                    public java.util.concurrent.CompletionStage<dev.leaderelection.store.AcquireResult> acquire(
                            String election, dev.leaderelection.store.LeaseToken token, Duration ttl) {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public java.util.concurrent.CompletionStage<Boolean> renew(
                            String election, dev.leaderelection.store.LeaseToken token, Duration ttl) {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public java.util.concurrent.CompletionStage<Boolean> release(
                            String election, dev.leaderelection.store.LeaseToken token) {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public java.util.concurrent.CompletionStage<
                                    java.util.Optional<dev.leaderelection.store.LeaseHolder>>
                            inspect(String election) {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public String kind() {
                        return "user";
                    }
                })
                .run(context -> assertThat(context).doesNotHaveBean(JdbcLeaseStore.class));
    }

    @Test
    void runWithoutADataSourceShouldCreateNoStore() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        LeaderElectionStoreAutoConfiguration.class, LeaderElectionJdbcAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(RedisLeaseStore.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(DataSource.class);
                    assertThat(context).doesNotHaveBean(JdbcLeaseStore.class);
                });
    }
}
