package dev.leaderelection.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.tck.LeaseStoreContract;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contract on a real ZooKeeper server in this JVM, and what is particular to ZooKeeper. */
class ZooKeeperLeaseStoreTests extends LeaseStoreContract {

    static final String ROOT = "/contract";

    /** Longer than the contract's longest lease, which is longer than a test server's 20 tick times. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(40);

    private static TestingServer server;
    private static CuratorFramework client;
    private static ZooKeeperLeaseStore store;

    private final List<CuratorFramework> furtherClients = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        server = new TestingServer(
                new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, Map.of("maxSessionTimeout", "60000")), true);
        client = Curators.connectedTo(server.getConnectString(), SESSION_TIMEOUT);
        store = new ZooKeeperLeaseStore(client, ROOT);
    }

    @AfterAll
    static void stopServer() throws Exception {
        store.close();
        client.close();
        server.close();
    }

    @AfterEach
    void closeFurtherClients() {
        furtherClients.forEach(CuratorFramework::close);
    }

    @Override
    public LeaseStore store() {
        return store;
    }

    @Override
    public LeaseStore newClient() {
        CuratorFramework further = Curators.connectedTo(server.getConnectString(), SESSION_TIMEOUT);
        furtherClients.add(further);
        return new ZooKeeperLeaseStore(further, ROOT);
    }

    /** An empty new ensemble, without the restart: every node under the root, fencing nodes included. */
    @Override
    public void wipeStoreData() {
        try {
            client.delete().deletingChildrenIfNeeded().forPath(ROOT);
        } catch (KeeperException.NoNodeException ex) {
            // nothing stored yet
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * A yield releases while the last renewal may still be in flight: a renewal that rewrites the
     * node between the release's read and its delete must not leave the lease held (it did: the
     * delete's version no longer matched, and the release answered false).
     */
    @Test
    void aReleaseRacingTheHoldersOwnRenewalStillFreesTheLease() {
        for (int round = 0; round < 30; round++) {
            LeaseToken token = LeaseToken.random("node-a");
            granted(store.acquire("release-race", token, LONG_TTL));

            var renewal = store.renew("release-race", token, LONG_TTL).toCompletableFuture();
            boolean released = answer(store.release("release-race", token));
            renewal.exceptionally(error -> false).join();

            assertThat(released).as("round %d", round).isTrue();
            assertThat(answer(store.inspect("release-race")))
                    .as("round %d", round)
                    .isEmpty();
        }
    }

    @Test
    void theLeaseIsAnEphemeralNodeOfTheHoldersSessionWithTheGrantsToken() throws Exception {
        LeaseToken token = LeaseToken.random("node-a");
        long fencingToken = granted(store.acquire("layout", token, LONG_TTL));

        Stat stat = new Stat();
        String data = new String(
                client.getData().storingStatIn(stat).forPath(ROOT + "/layout/lease"), StandardCharsets.UTF_8);
        assertThat(stat.getEphemeralOwner())
                .isEqualTo(client.getZookeeperClient().getZooKeeper().getSessionId());
        assertThat(data).isEqualTo("v1\n30000\n" + fencingToken + "\n" + token.encoded());
        assertThat(new String(client.getData().forPath(ROOT + "/layout/fencing"), StandardCharsets.UTF_8))
                .isEqualTo(Long.toString(fencingToken));
        Stat candidate = client.checkExists().forPath(ROOT + "/layout/candidates/node-a");
        assertThat(fencingToken)
                .as("floored at the server's clock in microseconds, as the candidate's write read it")
                .isGreaterThanOrEqualTo(candidate.getMtime() * 1000)
                .isLessThanOrEqualTo(stat.getCtime() * 1000);
    }

    @Test
    void theLeaseGoesWithTheHoldersSession() {
        String election = "session";
        CuratorFramework holderClient = Curators.connectedTo(server.getConnectString(), SESSION_TIMEOUT);
        ZooKeeperLeaseStore holder = new ZooKeeperLeaseStore(holderClient, ROOT);
        long first = granted(holder.acquire(election, LeaseToken.random("node-a"), LONG_TTL));

        holderClient.close(); // ends the session: ZooKeeper deletes its ephemeral nodes

        assertThat(answer(store.inspect(election))).isEmpty();
        assertThat(granted(store.acquire(election, LeaseToken.random("node-b"), LONG_TTL)))
                .isGreaterThan(first);
    }

    @Test
    void aLeaseLongerThanTheNegotiatedSessionTimeoutIsRefused() {
        CuratorFramework shortSession = Curators.connectedTo(server.getConnectString(), Duration.ofSeconds(10));
        furtherClients.add(shortSession);
        ZooKeeperLeaseStore refusing = new ZooKeeperLeaseStore(shortSession, ROOT);

        CompletionStage<AcquireResult> acquire = refusing.acquire("session-timeout", LeaseToken.random("a"), LONG_TTL);

        assertThat(refusing.negotiatedSessionTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(acquire.toCompletableFuture())
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class)
                .havingRootCause()
                .isInstanceOf(IllegalStateException.class)
                .withMessageStartingWith(
                        "ZooKeeper granted a session timeout of 10000 ms, shorter than the lease of 30000 ms")
                .withMessageContaining("leader.election.zookeeper.session-timeout");
        assertThat(answer(store.inspect("session-timeout"))).isEmpty();
    }

    @Test
    void subscribersHearGrantsWithTheirTokenAndReleases() throws Exception {
        String election = "announced";
        List<String> heard = new CopyOnWriteArrayList<>();
        LeaseChangeListener listener = new LeaseChangeListener() {
            @Override
            public void released() {
                heard.add("released");
            }

            @Override
            public void granted(String instanceId, long fencingToken) {
                heard.add(instanceId + "@" + fencingToken);
            }
        };
        try (LeaseStore observer = newClient();
                LeaseStore.Subscription subscription = observer.subscribe(election, listener)) {
            await().atMost(Duration.ofSeconds(10))
                    .until(subscription::state, state -> state.name().equals("SUBSCRIBED"));
            LeaseToken token = LeaseToken.random("node-a");
            long fencingToken = granted(store.acquire(election, token, LONG_TTL));
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("node-a@" + fencingToken));
            answer(store.release(election, token));
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("released"));
        }
    }

    @Test
    void candidatesAreTheInstancesThatCampaignedAndTheHolder() {
        String election = "candidates";
        LeaseStore other = newClient();
        granted(store.acquire(election, LeaseToken.random("node-a"), LONG_TTL));
        assertThat(answer(other.acquire(election, LeaseToken.random("node/b"), LONG_TTL)))
                .isInstanceOf(AcquireResult.Held.class);

        List<Candidate> candidates = answer(other.candidates(election));

        assertThat(candidates).extracting(Candidate::instanceId).containsExactlyInAnyOrder("node-a", "node/b");
    }

    @Test
    void electionNamesThatCannotNameANodeAreRejected() {
        store.checkElectionName("orders.v2:eu_west-1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> store.checkElectionName("a/b"))
                .withMessage(ElectionPaths.NAME_RULE);
        assertThatIllegalArgumentException().isThrownBy(() -> store.checkElectionName(".."));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ZooKeeperLeaseStore(client, "relative"))
                .withMessageContaining("must start with '/'");
    }

    @Test
    void callsNeverBlockTheCallerWhileTheServerIsAway() throws Exception {
        // A client of a server that never answers: Curator queues the call, the caller goes on.
        CuratorFramework nowhere = org.apache.curator.framework.CuratorFrameworkFactory.newClient(
                "127.0.0.1:1", 5_000, 5_000, new org.apache.curator.retry.RetryOneTime(10));
        nowhere.start();
        try {
            ZooKeeperLeaseStore unreachable = new ZooKeeperLeaseStore(nowhere, ROOT);
            long started = System.nanoTime();
            CompletionStage<AcquireResult> acquire =
                    unreachable.acquire("unreachable", LeaseToken.random("a"), LONG_TTL);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
            assertThat(acquire.toCompletableFuture().isDone()).isFalse();
            unreachable.close();
        } finally {
            nowhere.close();
        }
        TimeUnit.MILLISECONDS.toMillis(0);
    }
}
