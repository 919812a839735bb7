package dev.leaderelection.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseToken;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What renewals answer while the connection is away, and from a session that does not own the node. */
class ZooKeeperConnectionLossTests {

    static final Duration LEASE = Duration.ofSeconds(10);

    private TestingServer server;
    private CuratorFramework client;
    private ZooKeeperLeaseStore store;

    @BeforeEach
    void start() throws Exception {
        server = new TestingServer(true);
        client = Curators.connectedTo(server.getConnectString(), LEASE);
        store = new ZooKeeperLeaseStore(client, "/loss");
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        client.close();
        server.close();
    }

    @Test
    void whileTheConnectionIsSuspendedRenewalsFailAtOnceAndSucceedAgainOnceItIsBack() throws Exception {
        LeaseToken token = LeaseToken.random("node-a");
        assertThat(answer(store.acquire("loss", token, LEASE))).isInstanceOf(AcquireResult.Granted.class);

        server.stop();
        await().atMost(LEASE).untilAsserted(() -> {
            CompletableFuture<Boolean> renewal =
                    store.renew("loss", token, LEASE).toCompletableFuture();
            assertThat(renewal)
                    .as("not proven, answered without waiting for the server")
                    .isCompletedExceptionally();
        });

        server.restart(); // within the session timeout: the session, and the node, are still there
        await().atMost(LEASE).until(() -> {
            try {
                return answer(store.renew("loss", token, LEASE));
            } catch (AssertionError ex) {
                return false;
            }
        });
    }

    @Test
    void aRenewalThroughAnotherSessionIsNotProof() {
        LeaseToken token = LeaseToken.random("node-a");
        answer(store.acquire("owner", token, LEASE));
        CuratorFramework otherClient = Curators.connectedTo(server.getConnectString(), LEASE);
        try {
            ZooKeeperLeaseStore other = new ZooKeeperLeaseStore(otherClient, "/loss");

            assertThat(answer(other.renew("owner", token, LEASE)))
                    .as("the node lives with the first session, which this renewal does not keep alive")
                    .isFalse();
            assertThat(answer(store.renew("owner", token, LEASE))).isTrue();
        } finally {
            otherClient.close();
        }
    }

    private static <T> T answer(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException ex) {
            throw new AssertionError("store call failed", ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }
}
