package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.zookeeper.ZooKeeperLeaseStore;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class LeaderElectionZooKeeperAutoConfigurationTests {

    private static TestingServer server;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    LeaderElectionStoreAutoConfiguration.class,
                    LeaderElectionZooKeeperAutoConfiguration.class,
                    LeaderElectionAutoConfiguration.class))
            .withPropertyValues(
                    "leader.election.store=zookeeper",
                    "leader.election.zookeeper.connect-string=" + server.getConnectString());

    @BeforeAll
    static void startServer() throws Exception {
        server = new TestingServer(true);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Test
    void runShouldElectThroughZooKeeperUnderTheRootPath() {
        contextRunner
                .withPropertyValues("leader.election.zookeeper.root-path=/apps/orders", "leader.election.name=billing")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(ZooKeeperLeaseStore.class);
                    LeaderElector elector = context.getBean(LeaderElector.class);
                    await().atMost(Duration.ofSeconds(20)).until(elector::isLeader);
                    CuratorFramework client = context.getBean(CuratorFramework.class);
                    assertThat(client.checkExists().forPath("/apps/orders/billing/lease"))
                            .isNotNull();
                    assertThat(context.getBean(ZooKeeperLeaseStore.class).negotiatedSessionTimeout())
                            .as("the lease duration, asked for by default")
                            .isEqualTo(Duration.ofSeconds(10));
                });
    }

    @Test
    void runWithASessionTimeoutLargerThanTheLeaseShouldFailNamingBoth() {
        contextRunner
                .withPropertyValues("leader.election.lease-duration=5s", "leader.election.zookeeper.session-timeout=6s")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .isInstanceOf(InvalidLeaderElectionPropertiesException.class)
                            .hasMessage("leader.election.zookeeper.session-timeout (6000 ms) must not be larger than"
                                    + " leader.election.lease-duration (5000 ms): a holder that dies keeps the lease"
                                    + " until its ZooKeeper session ends");
                });
    }

    @Test
    void runWithASessionTimeoutSmallerThanTheLeaseShouldFail() {
        contextRunner
                .withPropertyValues("leader.election.zookeeper.session-timeout=4s")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .hasMessageStartingWith("leader.election.zookeeper.session-timeout (4000 ms) must not be"
                                    + " smaller than leader.election.lease-duration (10000 ms)");
                });
    }

    @Test
    void runWithAFurtherElectionsLeaseLongerThanTheSessionShouldFailNamingIt() {
        contextRunner
                .withPropertyValues("leader.election.elections.reports.lease-duration=20s")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .hasMessageStartingWith("leader.election.elections.reports.lease-duration (20000 ms) must"
                                    + " not be larger than leader.election.zookeeper.session-timeout (10000 ms)");
                });
    }

    @Test
    void runWithARelativeRootPathShouldFailNamingTheProperty() {
        contextRunner
                .withPropertyValues("leader.election.zookeeper.root-path=leader-election")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .isInstanceOf(InvalidLeaderElectionPropertiesException.class)
                            .hasMessageStartingWith(
                                    "leader.election.zookeeper.root-path 'leader-election' must start" + " with '/'");
                });
    }

    @Test
    void runWithAStoreOfItsOwnShouldBackOff() {
        contextRunner
                .withBean("myStore", LeaseStore.class, () -> mock(LeaseStore.class))
                .run(context -> assertThat(context)
                        .doesNotHaveBean(ZooKeeperLeaseStore.class)
                        .hasBean("myStore"));
    }

    @Test
    void runWithoutCuratorShouldNotCreateTheStore() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        LeaderElectionStoreAutoConfiguration.class, LeaderElectionZooKeeperAutoConfiguration.class))
                .withPropertyValues("leader.election.store=zookeeper")
                .withClassLoader(new FilteredClassLoader(CuratorFramework.class))
                .run(context -> assertThat(context)
                        .doesNotHaveBean(ZooKeeperLeaseStore.class)
                        .doesNotHaveBean("leaderElectionCuratorFramework"));
    }
}
