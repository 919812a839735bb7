package dev.leaderelection.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.BackoffPolicy;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.tck.ElectionHistory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three electors on a three-server ensemble in this JVM, the real engine on each, while a server
 * dies: the one the leader is connected to, or the quorum's leader. Never two leaders; one again
 * after.
 */
class ZooKeeperClusterFailoverTests {

    static final Duration LEASE = Duration.ofSeconds(2);
    static final ElectionTimings TIMINGS = ElectionTimings.builder()
            .leaseDuration(LEASE)
            .renewInterval(Duration.ofMillis(500))
            .operationTimeout(Duration.ofMillis(700))
            .retryInterval(Duration.ofSeconds(1))
            .backoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(500), 2.0, 0.5))
            .build();

    /** Quorum elections and session expiry on a busy machine: many leases. */
    static final Duration RECOVERY_BOUND = Duration.ofSeconds(30);

    private final ElectionHistory history = new ElectionHistory();
    private final List<Instance> instances = new ArrayList<>();
    private TestingCluster cluster;

    final class Instance {
        final String id;
        final CuratorFramework client;
        final ZooKeeperLeaseStore store;
        final ThreadPoolElectionScheduler scheduler;
        final LeaseLeaderElector elector;

        Instance(String id, String connectString) {
            this.id = id;
            // asks for the lease as its session timeout: the store refuses a shorter one
            this.client = Curators.connectedTo(connectString, LEASE);
            this.store = new ZooKeeperLeaseStore(client, "/failover");
            this.scheduler = new ThreadPoolElectionScheduler(1, id + "-election-");
            this.elector = new LeaseLeaderElector("orders", id, store, TIMINGS, scheduler);
            this.elector.addListener(history.listenerFor(id));
        }

        void close() {
            elector.stop();
            store.close();
            scheduler.close();
            client.close();
        }
    }

    @BeforeEach
    void startEnsemble() throws Exception {
        cluster = new TestingCluster(3);
        cluster.start();
    }

    @AfterEach
    void stopAll() throws IOException {
        instances.forEach(Instance::close);
        cluster.close();
        history.assertOneLeaderAtATime();
    }

    @Test
    void killingTheServerTheLeaderIsConnectedToLeavesOneLeaderAfterwardsAndNeverTwo() throws Exception {
        startThreeInstances();
        Instance leader = awaitOneLeader();
        InstanceSpec leadersServer = cluster.findConnectionInstance(
                leader.client.getZookeeperClient().getZooKeeper());

        long killedAt = System.nanoTime();
        assertThat(cluster.killServer(leadersServer)).isTrue();

        // its connection drops: the store says so (SUSPENDED) and it steps down at once
        await().atMost(LEASE).until(() -> !leader.elector.isLeader());
        long steppedDownMillis = (System.nanoTime() - killedAt) / 1_000_000;
        // its client moves to another server; whoever wins next, there is one leader
        awaitOneLeader();
        long nextTermMillis = (history.lastTerm().grantedAt() - killedAt) / 1_000_000;
        await().during(LEASE)
                .atMost(LEASE.multipliedBy(3))
                .until(() -> leaders().size() == 1);
        System.out.printf(
                "[figures] zookeeper, leader's server killed (lease 2 s): leader out after %d ms, next term after %d ms%n",
                steppedDownMillis, nextTermMillis);
    }

    @Test
    void killingTheQuorumLeaderLeavesOneLeaderAfterwardsAndNeverTwo() throws Exception {
        startThreeInstances();
        awaitOneLeader();
        InstanceSpec quorumLeader = quorumLeader().orElseThrow();

        long killedAt = System.nanoTime();
        assertThat(cluster.killServer(quorumLeader)).isTrue();

        // the ensemble elects a new quorum leader; the electors stand by meanwhile, then one leads
        await().atMost(RECOVERY_BOUND).until(() -> quorumLeader().isPresent());
        long quorumBackMillis = (System.nanoTime() - killedAt) / 1_000_000;
        awaitOneLeader();
        await().during(LEASE)
                .atMost(LEASE.multipliedBy(3))
                .until(() -> leaders().size() == 1);
        System.out.printf(
                "[figures] zookeeper, quorum leader killed (lease 2 s): quorum back after %d ms, %d terms in all%n",
                quorumBackMillis, history.terms().size());
    }

    private void startThreeInstances() {
        for (int i = 0; i < 3; i++) {
            start("node-" + i, cluster.getConnectString());
        }
    }

    private void start(String id, String connectString) {
        Instance instance = new Instance(id, connectString);
        instances.add(instance);
        instance.elector.start();
    }

    private Instance awaitOneLeader() {
        await().atMost(RECOVERY_BOUND).until(() -> leaders().size() == 1);
        return leaders().get(0);
    }

    private List<Instance> leaders() {
        return instances.stream().filter(i -> i.elector.isLeader()).toList();
    }

    /** The server whose {@code srvr} answer says {@code Mode: leader}, if the ensemble has one now. */
    private Optional<InstanceSpec> quorumLeader() {
        return cluster.getInstances().stream()
                .filter(spec -> srvr(spec).contains("Mode: leader"))
                .findFirst();
    }

    private static String srvr(InstanceSpec spec) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", spec.getPort()), 1_000);
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException ex) {
            return "";
        }
    }
}
