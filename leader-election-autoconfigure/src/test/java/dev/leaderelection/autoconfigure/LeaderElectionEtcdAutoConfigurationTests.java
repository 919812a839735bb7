package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.mockito.Mockito.mock;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.etcd.EtcdLeaseStore;
import dev.leaderelection.redis.RedisLeaseStore;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.testing.etcd.EtcdExtension;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.ClassUtils;

/** The etcd store's auto-configuration, against a real etcd. */
class LeaderElectionEtcdAutoConfigurationTests {

    @RegisterExtension
    static final EtcdExtension etcd = new EtcdExtension();

    /** The build runs these tests in an execution with the etcd module; -Dtest runs them in the other too. */
    @BeforeAll
    static void etcdModulePresent() {
        assumeTrue(
                ClassUtils.isPresent("dev.leaderelection.etcd.EtcdLeaseStore", null),
                "the etcd store module is on the classpath");
    }

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    LeaderElectionStoreAutoConfiguration.class,
                    LeaderElectionEtcdAutoConfiguration.class,
                    LeaderElectionAutoConfiguration.class))
            // the Redis module is on this classpath too: pick etcd, as an application with both would
            .withPropertyValues(
                    "leader.election.store=etcd",
                    "leader.election.etcd.endpoints=" + String.join(",", etcd.endpoints()),
                    "leader.election.lease-duration=2s",
                    "leader.election.renew-interval=500ms",
                    "leader.election.operation-timeout=500ms");

    @Test
    void runShouldCreateAnEtcdStoreWhoseElectorLeadsWithTheContext() {
        contextRunner
                .withPropertyValues("leader.election.etcd.key-prefix=/autoconfig/")
                .run(context -> {
                    assertThat(context).hasSingleBean(EtcdLeaseStore.class);
                    assertThat(context.getBean(EtcdLeaseStore.class).keyPrefix())
                            .isEqualTo("/autoconfig/");
                    LeaderElector elector = context.getBean(LeaderElector.class);
                    await().atMost(Duration.ofSeconds(10)).until(elector::isLeader);
                    assertThat(elector.election()).isEqualTo("default");
                });
    }

    @Test
    void runShouldUseTheDocumentedDefaults() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(LeaderElectionEtcdAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(RedisLeaseStore.class))
                .run(context -> {
                    LeaderElectionEtcdProperties properties = context.getBean(LeaderElectionEtcdProperties.class);
                    assertThat(properties.getEndpoints()).containsExactly("http://localhost:2379");
                    assertThat(properties.getKeyPrefix()).isEqualTo("/leader-election/");
                    assertThat(context.getBean(EtcdLeaseStore.class).keyPrefix())
                            .isEqualTo(EtcdLeaseStore.DEFAULT_KEY_PREFIX);
                });
    }

    @Test
    void runWithAUserLeaseStoreShouldBackOff() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        LeaderElectionStoreAutoConfiguration.class, LeaderElectionEtcdAutoConfiguration.class))
                .withPropertyValues("leader.election.store=etcd")
                .withBean("ownStore", LeaseStore.class, () -> mock(LeaseStore.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(EtcdLeaseStore.class);
                });
    }

    @Test
    void runWhenDisabledShouldCreateNoStore() {
        contextRunner
                .withPropertyValues("leader.election.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(LeaseStore.class));
    }

    @Test
    void runWithAnEndpointThatIsNoUrlShouldFailNamingThePropertyWithoutThePassword() {
        contextRunner
                .withPropertyValues(
                        "leader.election.etcd.endpoints=localhost:2379",
                        "leader.election.etcd.user=elector",
                        "leader.election.etcd.password=s3cr3t-value")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .isInstanceOf(InvalidLeaderElectionPropertiesException.class)
                            .hasMessage(
                                    "leader.election.etcd.endpoints has 'localhost:2379', but each endpoint must be "
                                            + "a URL with scheme, host and port, such as http://localhost:2379 or "
                                            + "https://etcd-0:2379")
                            .satisfies(failure -> assertThat(
                                            ((InvalidLeaderElectionPropertiesException) failure).properties())
                                    .containsExactly("leader.election.etcd.endpoints"));
                    assertThat(context.getStartupFailure().toString()).doesNotContain("s3cr3t-value");
                });
    }

    @Test
    void runWithAnUnknownSslBundleShouldFailNamingTheProperty() {
        contextRunner
                .withPropertyValues("leader.election.etcd.ssl.bundle=etcd-tls")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .isInstanceOf(InvalidLeaderElectionPropertiesException.class)
                            .hasMessageContaining("leader.election.etcd.ssl.bundle is 'etcd-tls'");
                });
    }

    @Test
    void runWithAPasswordButNoUserShouldFail() {
        contextRunner
                .withPropertyValues("leader.election.etcd.password=s3cr3t-value")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .hasMessage("leader.election.etcd.password is set but leader.election.etcd.user is not: "
                                    + "set both or neither");
                });
    }

    @Test
    void runWithALeaseShorterThanEtcdsShortestShouldFailNamingTheProperty() {
        contextRunner
                .withPropertyValues(
                        "leader.election.elections.reports.lease-duration=800ms",
                        "leader.election.elections.reports.renew-interval=200ms",
                        "leader.election.elections.reports.operation-timeout=100ms")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .isInstanceOf(InvalidLeaderElectionPropertiesException.class)
                            .hasMessageStartingWith("leader.election.elections.reports.lease-duration (800 ms) is "
                                    + "shorter than etcd's shortest lease, 1 s")
                            .satisfies(failure -> assertThat(
                                            ((InvalidLeaderElectionPropertiesException) failure).properties())
                                    .containsExactly("leader.election.elections.reports.lease-duration"));
                });
    }
}
