package dev.leaderelection.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.testing.zookeeper.ZooKeeperServerProcess;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;

/**
 * The store against a ZooKeeper server in a process of its own, as the fault suite and the demo
 * run it: frozen, then killed and restarted on the same data directory.
 */
class ZooKeeperServerProcessTests {

    static final Duration LEASE = Duration.ofSeconds(20);

    @Test
    void aFrozenServerProvesNothingAndARestartOnTheSameDataKeepsTheFencingTokensGrowing() throws Exception {
        try (ZooKeeperServerProcess server = new ZooKeeperServerProcess()) {
            server.start();
            CuratorFramework client = Curators.connectedTo(server.connectString(), LEASE);
            try {
                ZooKeeperLeaseStore store = new ZooKeeperLeaseStore(client, "/process");
                LeaseToken token = LeaseToken.random("node-a");
                long first = fencingToken(store.acquire("frozen", token, LEASE));

                server.pause();
                CompletableFuture<Boolean> whileFrozen =
                        store.renew("frozen", token, LEASE).toCompletableFuture();
                // no answer, or "not proven" once the client notices: never a renewal
                await().during(Duration.ofSeconds(1))
                        .atMost(Duration.ofSeconds(3))
                        .until(() -> !whileFrozen.isDone() || whileFrozen.isCompletedExceptionally());
                server.resume();

                server.restart(); // SIGKILL, then the same port and data directory
                // The session lives on if the client is back within its timeout, else Curator opens a
                // new one and the old node goes; either way the election is taken again, and the
                // fencing node, persisted in the data directory, keeps the tokens growing.
                long again = await().atMost(Duration.ofSeconds(30))
                        .ignoreExceptions()
                        .until(() -> fencingToken(store.acquire("frozen", token, LEASE)), t -> t > 0);
                assertThat(again).isGreaterThan(first);
                assertThat(store.renew("frozen", token, LEASE)
                                .toCompletableFuture()
                                .get(10, TimeUnit.SECONDS))
                        .isTrue();
            } finally {
                client.close();
            }
        }
    }

    private static long fencingToken(CompletionStage<AcquireResult> acquire) throws Exception {
        AcquireResult result = acquire.toCompletableFuture().get(10, TimeUnit.SECONDS);
        return result instanceof AcquireResult.Granted granted ? granted.fencingToken() : -1;
    }
}
