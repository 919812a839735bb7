package dev.leaderelection.redis;

import static dev.leaderelection.redis.StoreCalls.answer;
import static dev.leaderelection.redis.StoreCalls.granted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.testing.proxy.Direction;
import dev.leaderelection.testing.proxy.TcpProxy;
import dev.leaderelection.testing.redis.ProcessRedisServer;
import dev.leaderelection.testing.redis.RedisServer;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The failover side of the restart guard: when the election's data was written by another Redis
 * server process (a promoted replica, a restart from a snapshot or AOF), it may lack the last grant
 * or renewal, so the first acquire that finds the lease free holds back grants for one lease, until
 * a leader that still trusts its deadline has stepped down.
 */
class RedisFailoverGuardTests {

    static final Duration LEASE = Duration.ofSeconds(2);
    /** ceil(lease in seconds) + 1: the empty-restart side of the guard, on a server younger than this. */
    static final Duration UPTIME_GUARD = Duration.ofSeconds(3);
    /** Slack for a busy machine between Redis computing a PTTL and the test reading it. */
    static final Duration SLACK = Duration.ofMillis(200);

    static final String FAILED_OVER = "(redis failed over)";
    static final String OTHER_RUN_ID = "0123456789abcdef0123456789abcdef01234567";

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void letTheEmptyStartGuardPass() {
        // Each test starts on a flushed server: no epoch, so the first grant waits for the uptime.
        await().atMost(UPTIME_GUARD.plusSeconds(10)).until(() -> uptimeSeconds(redis.server()) >= 3);
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void theFirstGrantRecordsTheServerThatGrantedIt() {
        granted(store(redis.server(), true).acquire("recorded", LeaseToken.random("node-a"), LEASE));

        assertThat(redis.command("HGET", "{guard:recorded}:server", "run_id")).isEqualTo(runId(redis.server()));
        assertThat(redis.command("TTL", "{guard:recorded}:server"))
                .as("no expiry")
                .isEqualTo("-1");
    }

    @Test
    void aFreeLeaseOnDataFromAnotherServerIsHeldForOneLeaseThenGranted() throws InterruptedException {
        RedisLeaseStore oldLeaderStore = store(redis.server(), true);
        LeaseToken oldLeader = LeaseToken.random("node-a");
        granted(oldLeaderStore.acquire("moved", oldLeader, LEASE));
        // What a replica that missed the last grant looks like: the other server's run_id, no lease.
        loseTheLeaseOnAnotherServer("moved");

        RedisLeaseStore candidate = store(redis.server(), true);
        LeaseToken token = LeaseToken.random("node-b");
        long firstAsk = System.nanoTime();
        AcquireResult first = answer(candidate.acquire("moved", token, LEASE));

        assertThat(first).isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
            assertThat(held.holder().instanceId()).isEqualTo(FAILED_OVER);
            assertThat(held.holder().remaining()).isBetween(LEASE.minus(SLACK), LEASE);
        });
        assertThat(redis.command("HGET", "{guard:moved}:server", "run_id")).isEqualTo(runId(redis.server()));
        assertThat(answer(oldLeaderStore.renew("moved", oldLeader, LEASE)))
                .as("the old leader's next renewal is answered 'not yours'")
                .isFalse();

        long grantedAt = askUntilGranted(candidate, "moved", token, remaining(first));
        Duration held = Duration.ofNanos(grantedAt - firstAsk);
        assertThat(held).isGreaterThanOrEqualTo(LEASE.minus(SLACK)).isLessThan(LEASE.plusSeconds(1));
        Figures.print("first grant after data from another server (lease 2 s, guard on)", List.of(held.toMillis()));

        // Once per change of server: the next free lease is granted at once.
        assertThat(answer(candidate.release("moved", token))).isTrue();
        granted(candidate.acquire("moved", LeaseToken.random("node-c"), LEASE));
    }

    @Test
    void everyAcquireDuringTheHoldIsHeldUntilItsEnd() throws InterruptedException {
        granted(store(redis.server(), true).acquire("hold", LeaseToken.random("node-a"), LEASE));
        loseTheLeaseOnAnotherServer("hold");
        AcquireResult first = answer(store(redis.server(), true).acquire("hold", LeaseToken.random("node-b"), LEASE));

        Thread.sleep(500);
        AcquireResult later = answer(store(redis.server(), true).acquire("hold", LeaseToken.random("node-c"), LEASE));

        assertThat(later).isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
            assertThat(held.holder().instanceId()).isEqualTo(FAILED_OVER);
            assertThat(held.holder().remaining())
                    .as("the same hold, not a new one")
                    .isLessThanOrEqualTo(remaining(first).minusMillis(500))
                    .isPositive();
        });
    }

    @Test
    void withTheGuardOffAFreeLeaseOnDataFromAnotherServerIsGrantedAtOnce() {
        granted(store(redis.server(), true).acquire("unguarded", LeaseToken.random("node-a"), LEASE));
        loseTheLeaseOnAnotherServer("unguarded");

        granted(store(redis.server(), false).acquire("unguarded", LeaseToken.random("node-b"), LEASE));
    }

    @Test
    void dataWithoutARecordedServerIsGrantedAtOnceAndRecorded() {
        // What an election run by an earlier version leaves: an epoch, no server key.
        redis.command("SET", "{guard:older}:epoch", "5");

        assertThat(granted(store(redis.server(), true).acquire("older", LeaseToken.random("node-b"), LEASE)))
                .isGreaterThan(5);
        assertThat(redis.command("HGET", "{guard:older}:server", "run_id")).isEqualTo(runId(redis.server()));
    }

    /**
     * A real failover that loses the last grant: the replica's replication stream is cut while the
     * leader is granted on the primary, then the replica is promoted. Its first grant comes only
     * after the leader's deadline.
     */
    @Test
    void aPromotedReplicaThatMissedTheLastGrantGrantsOnlyAfterTheLeadersDeadline() throws InterruptedException {
        RedisServer primary = started(new ProcessRedisServer());
        TcpProxy link = new TcpProxy(primary.port());
        resources.add(link);
        RedisServer replica = started(ProcessRedisServer.replicaOf(link.port()));
        await().atMost(UPTIME_GUARD.plusSeconds(10)).until(() -> uptimeSeconds(primary) >= 3);

        // An earlier term, replicated: the replica has the epoch and the primary's run_id.
        RedisLeaseStore onPrimary = store(primary, true);
        LeaseToken earlier = LeaseToken.random("node-0");
        granted(onPrimary.acquire("failover", earlier, LEASE));
        assertThat(answer(onPrimary.release("failover", earlier))).isTrue();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Objects.equals(
                        replica.command("GET", "{guard:failover}:epoch"),
                        primary.command("GET", "{guard:failover}:epoch")));
        assertThat(replica.command("HGET", "{guard:failover}:server", "run_id")).isEqualTo(runId(primary));

        // The primary grants node-a, but the replication stream never delivers it.
        link.hold(Direction.DOWNSTREAM);
        LeaseToken oldLeader = LeaseToken.random("node-a");
        long oldLeaderSent = System.nanoTime();
        granted(onPrimary.acquire("failover", oldLeader, LEASE));
        link.resetConnections();
        replica.command("REPLICAOF", "NO", "ONE");
        assertThat(replica.command("EXISTS", "{guard:failover}:lease", "{guard:failover}:term"))
                .as("the promoted replica lost the grant")
                .isEqualTo("0");
        assertThat(runId(replica)).isNotEqualTo(runId(primary));

        RedisLeaseStore onReplica = store(replica, true);
        LeaseToken token = LeaseToken.random("node-b");
        AcquireResult first = answer(onReplica.acquire("failover", token, LEASE));
        assertThat(first).isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
            assertThat(held.holder().instanceId()).isEqualTo(FAILED_OVER);
            assertThat(held.holder().remaining()).isBetween(LEASE.minus(SLACK), LEASE);
        });

        long grantedAt = askUntilGranted(onReplica, "failover", token, remaining(first));
        assertThat(Duration.ofNanos(grantedAt - oldLeaderSent))
                .as("granted after the old leader's deadline, which is at most one lease after it asked")
                .isGreaterThanOrEqualTo(LEASE);
        assertThat(answer(store(replica, true).renew("failover", oldLeader, LEASE)))
                .as("the old leader's renewal on the new primary is answered 'not yours'")
                .isFalse();
        assertThat(replica.command("HGET", "{guard:failover}:server", "run_id")).isEqualTo(runId(replica));
        Figures.print(
                "first grant on a promoted replica after the lost grant (lease 2 s, guard on)",
                List.of(Duration.ofNanos(grantedAt - oldLeaderSent).toMillis()));
    }

    /** Makes the election's data look replicated from another server that lost the last grant. */
    private static void loseTheLeaseOnAnotherServer(String election) {
        String tag = "{guard:" + election + "}";
        redis.command("HSET", tag + ":server", "run_id", OTHER_RUN_ID);
        redis.command("DEL", tag + ":lease", tag + ":term");
    }

    /** Asks again when each hold ends, as a follower does; returns when it was granted. */
    private static long askUntilGranted(RedisLeaseStore store, String election, LeaseToken token, Duration wait)
            throws InterruptedException {
        AcquireResult result;
        int asks = 0;
        do {
            Thread.sleep(wait.toMillis() + 1);
            result = answer(store.acquire(election, token, LEASE));
            asks++;
            if (result instanceof AcquireResult.Held held) {
                assertThat(held.holder().instanceId()).isEqualTo(FAILED_OVER);
                wait = remaining(result);
            }
        } while (result instanceof AcquireResult.Held && asks < 3);
        long grantedAt = System.nanoTime();
        assertThat(result).isInstanceOf(AcquireResult.Granted.class);
        return grantedAt;
    }

    private RedisServer started(ProcessRedisServer server) {
        resources.add(server);
        server.start();
        return server;
    }

    private RedisLeaseStore store(RedisServer server, boolean restartGuard) {
        LettuceConnectionFactory connections = LettuceFactories.connectedTo(server);
        resources.add(connections::destroy);
        RedisLeaseStore store = RedisLeaseStore.builder(connections)
                .keyPrefix("guard")
                .restartGuard(restartGuard)
                .build();
        resources.add(store);
        return store;
    }

    private static String runId(RedisServer server) {
        return infoField(server, "run_id");
    }

    private static long uptimeSeconds(RedisServer server) {
        return Long.parseLong(infoField(server, "uptime_in_seconds"));
    }

    private static String infoField(RedisServer server, String field) {
        Matcher matcher = Pattern.compile(field + ":(\\w+)").matcher(String.valueOf(server.command("INFO", "server")));
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    private static Duration remaining(AcquireResult result) {
        return Objects.requireNonNull(((AcquireResult.Held) result).holder().remaining());
    }
}
