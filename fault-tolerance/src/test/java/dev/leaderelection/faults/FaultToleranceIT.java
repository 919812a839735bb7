package dev.leaderelection.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.testing.proxy.Direction;
import dev.leaderelection.testing.redis.ProcessRedisServer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The fault scenarios on Redis: those of every store ({@link StoreFaultScenarios}, where a frozen or
 * restarted store is a frozen or empty restarted redis-server) and those only Redis has: operators
 * touching the keys, a busy server, a flushed script cache, and failovers to a replica behind one
 * address. They keep their places among the common rows ({@code @Order} 12 to 15 and 17 to 20), as
 * the table has always listed them.
 */
class FaultToleranceIT extends StoreFaultScenarios {

    private static final String KEYS = "{leader-election:telnet-gateway}";
    private static final String LEASE_KEY = KEYS + ":lease";
    private static final String[] ELECTION_KEYS = {LEASE_KEY, KEYS + ":term", KEYS + ":epoch", KEYS + ":server"};

    FaultToleranceIT() {
        super("redis");
    }

    @Test
    @Order(12)
    void operatorDeletesTheLeaseKey() {
        termEndedBy("6a. lease key deleted by an operator", () -> lab.redis().command("DEL", LEASE_KEY));
    }

    @Test
    @Order(13)
    void operatorOverwritesTheLeaseKey() {
        termEndedBy(
                "6b. lease key overwritten by an operator",
                () -> lab.redis()
                        .command("SET", LEASE_KEY, "0123abcd:operator", "PX", Long.toString(LEASE.toMillis())));
    }

    @Test
    @Order(14)
    void redisBusyWithALongScript() {
        long busyMicros = LEASE.multipliedBy(3).dividedBy(2).toNanos() / 1000;
        termEndedBy(
                "7a. Redis busy in a 1.5x lease script",
                () -> lab.redis()
                        .command(
                                "EVAL",
                                "local s = redis.call('TIME') repeat local n = redis.call('TIME') "
                                        + "until (n[1] - s[1]) * 1000000 + (n[2] - s[2]) > tonumber(ARGV[1]) return 1",
                                "0",
                                Long.toString(busyMicros)));
    }

    @Test
    @Order(15)
    void scriptCacheFlushed() {
        Scenario scenario = new Scenario("7b. script cache flushed (NOSCRIPT fallback)");
        for (int round = 0; round < ROUNDS; round++) {
            String leader = lab.awaitOneLeader(STEP);
            long token = lab.app(leader).status().fencingToken();
            lab.redis().command("SCRIPT", "FLUSH");
            // two renewals later the leader still leads in the same term
            FaultLab.pause(Duration.ofSeconds(1));
            assertThat(lab.app(leader).status().fencingToken()).isEqualTo(token);
        }
        scenario.finish();
    }

    @Test
    @Order(17)
    void failoverToAReplicaThatMissedTheElectionResettingConnections() {
        failover("9a. failover, replica missed the term, conns reset", true, Duration.ZERO, false);
    }

    @Test
    @Order(18)
    void failoverToAReplicaThatMissedTheElectionKeepingConnections() {
        failover("9b. failover, replica missed the term, conns kept", false, Duration.ZERO, false);
    }

    @Test
    @Order(19)
    void failoverToALaggingReplicaKeepingConnections() {
        failover(
                "9c. failover, replica 1.25x lease behind, conns kept",
                false,
                LEASE.multipliedBy(5).dividedBy(4),
                false);
    }

    @Test
    @Order(20)
    void failoverToAReplicaThatMissedTheElectionWhileTheLeaderIsCutOff() {
        failover("9d. as 9a, and the old leader cut off from Redis", true, Duration.ZERO, true);
    }

    /**
     * Each round: a primary with an empty replica in sync; the replication stream is held back from
     * the election's first grant ({@code lag} zero: the replica never hears of the election) or
     * {@code lag} after it (the replica has the election but misses its last renewals); the
     * primary is SIGKILLed just after a renewal, the replica promoted, the address moved to it. The
     * old leader must step down before its lease ends, and no new term may begin within one lease of
     * the promotion: the promoted replica cannot know how long the old leader still counts on. With
     * {@code cutOff} the old leader cannot reach Redis from just before the primary dies until it
     * has stepped down, so it learns nothing from the replica and leads until its own deadline.
     */
    private void failover(String name, boolean resetClients, Duration lag, boolean cutOff) {
        Scenario scenario = new Scenario(name);
        for (int round = 0; round < ROUNDS; round++) {
            Session before = lab.openSessionOf(lab.awaitOneLeader(STEP));
            lab.restartPrimaryWithReplica();
            if (lag.isZero()) {
                lab.replicationLink().hold(Direction.DOWNSTREAM);
            }
            lab.moveRedis(lab.redis().port(), true);
            String leader = awaitNewTerm(before);
            if (lag.isZero()) {
                assertThat(lab.replica().command(concat("EXISTS", ELECTION_KEYS)))
                        .as("election keys on the replica before the failover")
                        .isEqualTo("0");
            } else {
                assertThat(lab.redis().command("WAIT", "1", "5000")).isEqualTo("1");
                lab.replicationLink().hold(Direction.DOWNSTREAM);
                FaultLab.pause(lag);
                assertThat(lab.replica().command("EXISTS", KEYS + ":epoch", KEYS + ":server"))
                        .as("epoch and server record on the replica before the failover")
                        .isEqualTo("2");
                assertThat(lab.replica().command("EXISTS", LEASE_KEY))
                        .as("the replica's copy of the lease, expired for want of the last renewals")
                        .isEqualTo("0");
            }
            assertThat(lab.redis().command(concat("EXISTS", ELECTION_KEYS)))
                    .as("election keys on the primary")
                    .isEqualTo("4");
            // past the wait that a freshly started Redis imposes anyway: only the missing record can hold
            FaultLab.await(
                    "the replica up for longer than a lease and a second",
                    STEP,
                    () -> uptimeSeconds(lab.replica()) > LEASE.toSeconds() + 1,
                    () -> String.valueOf(lab.replica().command("INFO", "server")));
            FaultLab.await(
                    "a renewal by " + leader,
                    STEP,
                    () -> Long.parseLong(String.valueOf(lab.redis().command("PTTL", LEASE_KEY)))
                            >= LEASE.toMillis() - 250,
                    () -> lab.statuses().toString());
            Session term = lab.openSessionOf(leader);
            if (cutOff) {
                lab.proxy(leader).hold(Direction.UPSTREAM, Direction.DOWNSTREAM);
            }
            lab.keepConnectionsWhenRedisDies(!resetClients);
            lab.redis().kill();
            lab.replica().promote();
            long promotedAt = System.nanoTime();
            Instant promotedAtWall = Instant.now();
            lab.moveRedis(lab.replica().port(), resetClients);
            lab.keepConnectionsWhenRedisDies(false);

            awaitStepDown(leader, term.connection(), scenario);
            lab.proxy(leader).heal();
            String next = lab.awaitOneLeader(STEP);
            Session first = HistoryChecker.firstNewTerm(lab.destination().sessions(), promotedAt, term.fencingToken())
                    .orElseThrow(() -> new AssertionError("no new term greeted after the promotion"));
            Duration greeted = Duration.ofNanos(first.firstWrite() - promotedAt);
            Instant since = lab.app(next).status().since();
            Duration granted = since == null ? greeted : Duration.between(promotedAtWall, since);
            scenario.grantAfterPromotion(granted.compareTo(greeted) < 0 ? granted : greeted);
        }
        Session promoted = lab.openSessionOf(lab.awaitOneLeader(STEP));
        lab.restorePrimary();
        awaitNewTerm(promoted);
        scenario.finish();
    }

    private static long uptimeSeconds(ProcessRedisServer server) {
        return Long.parseLong(String.valueOf(server.info("server", "uptime_in_seconds")));
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
