package dev.leaderelection.redis;

import static dev.leaderelection.redis.RedisLeaseStore.LEASE_MARGIN;
import static dev.leaderelection.redis.ServerIdentity.recordedAsSeen;
import static dev.leaderelection.redis.ServerIdentity.runId;
import static dev.leaderelection.redis.ServerIdentity.uptimeSeconds;
import static dev.leaderelection.redis.StoreCalls.answer;
import static dev.leaderelection.redis.StoreCalls.askUntilGranted;
import static dev.leaderelection.redis.StoreCalls.granted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.testing.proxy.Direction;
import dev.leaderelection.testing.proxy.TcpProxy;
import dev.leaderelection.testing.redis.ProcessRedisServer;
import dev.leaderelection.testing.redis.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Real failovers between {@code redis-server} processes, each losing a write that a leader counts
 * on: the new primary grants nothing until that leader's deadline has passed.
 */
class RedisPromotionGuardTests {

    static final Duration LEASE = Duration.ofSeconds(2);
    /** Slack for a busy machine between Redis computing a PTTL and the test reading it. */
    static final Duration SLACK = Duration.ofMillis(200);
    /** Redis counts a hold in whole ms of its clock; the test's clock may see it end this much sooner. */
    static final Duration CLOCK_SLACK = Duration.ofMillis(20);

    static final String TAG = "{guard:failover}";

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    /** The replica never got the election's first grant, nor its epoch, nor the server record. */
    @Test
    void aPromotedReplicaThatMissedTheElectionsFirstGrantGrantsNothingForOneLeaseFromThePromotion()
            throws InterruptedException {
        ProcessRedisServer primary = started(new ProcessRedisServer());
        noSyncDelay(primary);
        TcpProxy link = proxyTo(primary);
        ProcessRedisServer replica = started(ProcessRedisServer.replicaOf(link.port()));
        replica.awaitReplicationLinkUp();

        link.hold(Direction.DOWNSTREAM);
        LeaseToken oldLeader = LeaseToken.random("node-a");
        askUntilGranted(store(primary), "failover", oldLeader, LEASE);
        // Older than the empty-start guard of earlier versions (ceil(lease) + 1 s), which would pass it.
        await().atMost(Duration.ofSeconds(15)).until(() -> uptimeSeconds(replica) >= 3);
        link.resetConnections();
        long promotedAt = System.nanoTime();
        replica.promote();
        assertThat(replica.command("EXISTS", TAG + ":lease", TAG + ":term", TAG + ":epoch", TAG + ":server"))
                .as("the promoted replica has none of the election's data")
                .isEqualTo("0");

        RedisLeaseStore onReplica = store(replica);
        LeaseToken token = LeaseToken.random("node-b");
        assertThat(answer(onReplica.acquire("failover", token, LEASE)))
                .isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
                    assertThat(held.holder().instanceId()).isEqualTo("(redis restarted)");
                    assertThat(held.holder().remaining()).isBetween(LEASE.minus(SLACK), LEASE.plus(LEASE_MARGIN));
                });
        Duration sincePromotion = Duration.ofNanos(askUntilGranted(onReplica, "failover", token, LEASE) - promotedAt);

        assertThat(sincePromotion).isGreaterThanOrEqualTo(LEASE.minus(CLOCK_SLACK));
        assertThat(answer(onReplica.renew("failover", oldLeader, LEASE)))
                .as("the old leader's renewal on the new primary is answered 'not yours'")
                .isFalse();
        Figures.print(
                "first grant on a promoted replica that missed the first grant, from the promotion (lease 2 s)",
                List.of(sincePromotion.toMillis()));
    }

    /** An earlier term reached the replica; the grant after it did not. */
    @Test
    void aPromotedReplicaThatMissedTheLastGrantGrantsOnlyAfterTheLeadersDeadline() throws InterruptedException {
        ProcessRedisServer primary = started(new ProcessRedisServer());
        noSyncDelay(primary);
        TcpProxy link = proxyTo(primary);
        ProcessRedisServer replica = started(ProcessRedisServer.replicaOf(link.port()));
        // A primary takes a new replication id when its first replica syncs: record it after that.
        replica.awaitReplicationLinkUp();
        recordedAsSeen(primary, TAG + ":server");

        RedisLeaseStore onPrimary = store(primary);
        LeaseToken earlier = LeaseToken.random("node-0");
        granted(onPrimary.acquire("failover", earlier, LEASE));
        assertThat(answer(onPrimary.release("failover", earlier))).isTrue();
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        Objects.equals(replica.command("GET", TAG + ":epoch"), primary.command("GET", TAG + ":epoch")));
        assertThat(replica.command("HGET", TAG + ":server", "run_id")).isEqualTo(runId(primary));

        // The primary grants node-a, but the replication stream never delivers it.
        link.hold(Direction.DOWNSTREAM);
        LeaseToken oldLeader = LeaseToken.random("node-a");
        long oldLeaderSent = System.nanoTime();
        granted(onPrimary.acquire("failover", oldLeader, LEASE));
        link.resetConnections();
        replica.promote();
        assertThat(replica.command("EXISTS", TAG + ":lease", TAG + ":term"))
                .as("the promoted replica lost the grant")
                .isEqualTo("0");

        RedisLeaseStore onReplica = store(replica);
        LeaseToken token = LeaseToken.random("node-b");
        assertThat(answer(onReplica.acquire("failover", token, LEASE)))
                .isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
                    assertThat(held.holder().instanceId()).isEqualTo("(redis failed over)");
                    assertThat(held.holder().remaining()).isBetween(LEASE.minus(SLACK), LEASE.plus(LEASE_MARGIN));
                });
        Duration sinceLostGrant =
                Duration.ofNanos(askUntilGranted(onReplica, "failover", token, LEASE) - oldLeaderSent);

        assertThat(sinceLostGrant)
                .as("granted after the old leader's deadline, which is at most one lease after it asked")
                .isGreaterThanOrEqualTo(LEASE);
        assertThat(answer(onReplica.renew("failover", oldLeader, LEASE))).isFalse();
        assertThat(replica.command("HGET", TAG + ":server", "run_id")).isEqualTo(runId(replica));
        Figures.print(
                "first grant on a promoted replica after the lost grant (lease 2 s, guard on)",
                List.of(sinceLostGrant.toMillis()));
    }

    /**
     * Q1 to Q2 and back to Q1, which missed the last renewal on Q2: Q1's run_id is the recorded one,
     * but its replication history is not.
     */
    @Test
    void aFailBackToAPrimaryThatMissedTheLastRenewalGrantsOnlyAfterTheLeadersDeadline() throws InterruptedException {
        ProcessRedisServer q1 = started(new ProcessRedisServer());
        noSyncDelay(q1);
        ProcessRedisServer q2 = started(ProcessRedisServer.replicaOf(q1.port()));
        q2.awaitReplicationLinkUp();
        recordedAsSeen(q1, TAG + ":server");
        LeaseToken leader = LeaseToken.random("node-a");
        granted(store(q1).acquire("failover", leader, LEASE));
        await().atMost(Duration.ofSeconds(10)).until(() -> leader.encoded().equals(q2.command("GET", TAG + ":lease")));

        // Failover to Q2; Q1 comes back as its replica, through a link that can be cut.
        q2.promote();
        TcpProxy link = proxyTo(q2);
        noSyncDelay(q2);
        q1.replicate(link.port());
        RedisLeaseStore onQ2 = store(q2);
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    assertThat(answer(onQ2.renew("failover", leader, LEASE)))
                            .as("the leader renews on Q2 meanwhile")
                            .isTrue();
                    return "up".equals(q1.info("replication", "master_link_status"))
                            && "0".equals(q1.info("replication", "master_sync_in_progress"));
                });

        link.hold(Direction.DOWNSTREAM);
        long lastRenewalSent = System.nanoTime();
        assertThat(answer(onQ2.renew("failover", leader, LEASE)))
                .as("the renewal Q1 misses")
                .isTrue();
        await().atMost(LEASE.plusSeconds(2)).until(() -> "0".equals(q1.command("EXISTS", TAG + ":lease")));
        q1.promote();
        assertThat(q1.command("HGET", TAG + ":server", "run_id"))
                .as("the record names Q1's own process")
                .isEqualTo(runId(q1));

        RedisLeaseStore onQ1 = store(q1);
        LeaseToken token = LeaseToken.random("node-b");
        assertThat(answer(onQ1.acquire("failover", token, LEASE)))
                .isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
                    assertThat(held.holder().instanceId()).isEqualTo("(redis failed over)");
                    assertThat(held.holder().remaining()).isBetween(LEASE.minus(SLACK), LEASE.plus(LEASE_MARGIN));
                });
        Duration sinceLastRenewal = Duration.ofNanos(askUntilGranted(onQ1, "failover", token, LEASE) - lastRenewalSent);

        assertThat(sinceLastRenewal)
                .as("granted after the leader's deadline, at most one lease after its last renewal")
                .isGreaterThanOrEqualTo(LEASE);
        Figures.print(
                "first grant after a fail-back that missed the last renewal, from that renewal (lease 2 s)",
                List.of(sinceLastRenewal.toMillis()));
    }

    /** A primary that starts a full synchronisation at once, rather than waiting 5 s for more replicas. */
    private static void noSyncDelay(RedisServer primary) {
        primary.command("CONFIG", "SET", "repl-diskless-sync-delay", "0");
    }

    private ProcessRedisServer started(ProcessRedisServer server) {
        resources.add(server);
        server.start();
        return server;
    }

    private TcpProxy proxyTo(RedisServer server) {
        TcpProxy proxy = new TcpProxy(server.port());
        resources.add(proxy);
        return proxy;
    }

    private RedisLeaseStore store(RedisServer server) {
        LettuceConnectionFactory connections = LettuceFactories.connectedTo(server);
        resources.add(connections::destroy);
        RedisLeaseStore store = RedisLeaseStore.builder(connections)
                .keyPrefix("guard")
                .restartGuard(true)
                .build();
        resources.add(store);
        return store;
    }
}
