package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.kubernetes.KubernetesLeaseStore;
import dev.leaderelection.redis.RedisLeaseStore;
import dev.leaderelection.store.LeaseStore;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The Kubernetes store's auto-configuration, on fabric8's mock API server in CRUD mode (no real cluster). */
class LeaderElectionKubernetesAutoConfigurationTests {

    private static final Logger SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    private static KubernetesMockServer api;
    private static KubernetesClient client;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    LeaderElectionStoreAutoConfiguration.class,
                    LeaderElectionKubernetesAutoConfiguration.class,
                    LeaderElectionAutoConfiguration.class))
            // the Redis store module is on this classpath too, as in an application with both
            .withPropertyValues("leader.election.store=kubernetes");

    @BeforeAll
    static void startApiServer() {
        SERVER_LOG.setLevel(Level.WARNING);
        api = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        client = api.createClient(
                builder -> builder.editOrNewConfig().withNamespace("apps").endConfig());
    }

    /** A client per context: the context closes it. */
    private static KubernetesClient newClient() {
        return api.createClient(
                builder -> builder.editOrNewConfig().withNamespace("apps").endConfig());
    }

    @AfterAll
    static void stopApiServer() {
        client.close();
        api.destroy();
    }

    @Test
    void runWithAClientBeanShouldUseItAndItsNamespace() {
        contextRunner
                .withBean(KubernetesClient.class, LeaderElectionKubernetesAutoConfigurationTests::newClient)
                .run(context -> {
                    KubernetesLeaseStore store = context.getBean(KubernetesLeaseStore.class);
                    assertThat(store.namespace()).isEqualTo("apps");
                    assertThat(store.leasePrefix()).isEqualTo("leader-election-");
                });
    }

    @Test
    void runWithNamespaceAndPrefixShouldUseThem() {
        contextRunner
                .withBean(KubernetesClient.class, LeaderElectionKubernetesAutoConfigurationTests::newClient)
                .withPropertyValues(
                        "leader.election.kubernetes.namespace=jobs", "leader.election.kubernetes.lease-prefix=le.")
                .run(context -> {
                    KubernetesLeaseStore store = context.getBean(KubernetesLeaseStore.class);
                    assertThat(store.namespace()).isEqualTo("jobs");
                    assertThat(store.leaseName("orders")).isEqualTo("le.orders");
                });
    }

    @Test
    void runWithoutAClientBeanShouldBuildOneFromTheDefaultConfiguration() {
        contextRunner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(KubernetesClient.class);
            assertThat(context).hasSingleBean(KubernetesLeaseStore.class);
        });
    }

    @Test
    void runWithAnInvalidLeasePrefixShouldFailNamingTheProperty() {
        contextRunner
                .withBean(KubernetesClient.class, LeaderElectionKubernetesAutoConfigurationTests::newClient)
                .withPropertyValues("leader.election.kubernetes.lease-prefix=Leader_")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .isInstanceOf(InvalidLeaderElectionPropertiesException.class)
                            .hasMessageStartingWith("leader.election.kubernetes.lease-prefix ('Leader_') must be");
                });
    }

    @Test
    void runWithTheKubernetesModuleAloneShouldUseItWithoutASetting() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        LeaderElectionStoreAutoConfiguration.class, LeaderElectionKubernetesAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(RedisLeaseStore.class))
                .withBean(KubernetesClient.class, LeaderElectionKubernetesAutoConfigurationTests::newClient)
                .run(context -> assertThat(context).hasSingleBean(KubernetesLeaseStore.class));
    }

    @Test
    void runWithAUserStoreShouldBackOff() {
        contextRunner
                .withBean(KubernetesClient.class, LeaderElectionKubernetesAutoConfigurationTests::newClient)
                .withBean(
                        "myStore",
                        LeaseStore.class,
                        () -> new KubernetesLeaseStore(client, "mine", KubernetesLeaseStore.DEFAULT_LEASE_PREFIX))
                .run(context -> assertThat(context.getBean(LeaseStore.class))
                        .isInstanceOfSatisfying(
                                KubernetesLeaseStore.class,
                                store -> assertThat(store.namespace()).isEqualTo("mine")));
    }

    @Test
    void runWhenDisabledShouldNotCreateTheStore() {
        contextRunner
                .withBean(KubernetesClient.class, LeaderElectionKubernetesAutoConfigurationTests::newClient)
                .withPropertyValues("leader.election.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(LeaseStore.class));
    }

    @Test
    void runShouldElectThroughALeaseInTheNamespace() {
        contextRunner
                .withBean(KubernetesClient.class, LeaderElectionKubernetesAutoConfigurationTests::newClient)
                .withPropertyValues(
                        "leader.election.name=billing",
                        "leader.election.instance-id=pod-1",
                        "leader.election.lease-duration=2s",
                        "leader.election.renew-interval=500ms",
                        "leader.election.operation-timeout=1s")
                .run(context -> {
                    LeaderElector elector = context.getBean(LeaderElector.class);
                    await().atMost(Duration.ofSeconds(30)).until(elector::isLeader);
                    Lease lease = client.leases()
                            .inNamespace("apps")
                            .withName("leader-election-billing")
                            .get();
                    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("pod-1");
                    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(2);
                });
    }
}
