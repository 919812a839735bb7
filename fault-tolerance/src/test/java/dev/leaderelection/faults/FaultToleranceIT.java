package dev.leaderelection.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.testing.process.LeaderStatus;
import dev.leaderelection.testing.proxy.Direction;
import dev.leaderelection.testing.redis.ProcessRedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three sample-app JVMs and a real redis-server under one fault per scenario; the observing
 * destination's history must show no two holders at once, and tokens that only grow. Rounds per
 * scenario: {@code -Dfaults.rounds} (1 by default, 20 with {@code -Pchaos}). Prints a table at the end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultToleranceIT {

    private static final int ROUNDS = Integer.getInteger("faults.rounds", 1);
    private static final Duration LEASE = FaultLab.LEASE;
    private static final Duration STEP = Duration.ofSeconds(30);
    private static final String KEYS = "{leader-election:telnet-gateway}";
    private static final String LEASE_KEY = KEYS + ":lease";
    private static final String[] ELECTION_KEYS = {LEASE_KEY, KEYS + ":term", KEYS + ":epoch", KEYS + ":server"};
    /** What a grant may come early after a promotion: clock reading and rounding, never a renewal. */
    private static final Duration GRANT_SLACK = Duration.ofMillis(50);

    private static final ResultsTable results = new ResultsTable();
    private static FaultLab lab;

    @BeforeAll
    static void startTheLab() {
        lab = new FaultLab(
                Path.of(System.getProperty("faults.app-jar")), Path.of(System.getProperty("faults.log-dir")));
        List.of("app-1", "app-2", "app-3").forEach(lab::launch);
        lab.awaitOneLeader(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stopTheLabAndReport() throws IOException {
        lab.close();
        String table = results.render();
        System.out.println(table);
        Files.writeString(Path.of(System.getProperty("faults.log-dir"), "results.md"), table);
    }

    @Test
    @Order(1)
    void leaderChurn() {
        Scenario scenario = new Scenario("1. leader SIGKILLed, then restarted");
        for (int round = 0; round < ROUNDS; round++) {
            String leader = lab.awaitOneLeader(STEP);
            lab.app(leader).kill();
            lab.awaitOneLeader(STEP, leader);
            lab.launch(leader);
            awaitRole(leader, "FOLLOWER", Duration.ofSeconds(90));
        }
        scenario.finish();
    }

    @Test
    @Order(2)
    void leaderFrozenForHalfALease() {
        leaderFrozen(0.5);
    }

    @Test
    @Order(3)
    void leaderFrozenForTwoLeases() {
        leaderFrozen(2);
    }

    @Test
    @Order(4)
    void leaderFrozenForTenLeases() {
        leaderFrozen(10);
    }

    @Test
    @Order(5)
    void redisFrozenForHalfALease() {
        redisFrozen(0.5);
    }

    @Test
    @Order(6)
    void redisFrozenForThreeLeases() {
        redisFrozen(3);
    }

    @Test
    @Order(7)
    void redisRestartedEmptyWithinTheLease() {
        redisRestartedEmpty("4a. Redis restarted empty at once, within the lease", Duration.ZERO);
    }

    @Test
    @Order(8)
    void redisRestartedEmptyAfterTheLease() {
        redisRestartedEmpty("4b. Redis restarted empty after 2x lease", LEASE.multipliedBy(2));
    }

    @Test
    @Order(9)
    void networkCutBothWays() {
        networkFault("5a. leader cut off from Redis, both ways, 2x lease", Direction.UPSTREAM, Direction.DOWNSTREAM);
    }

    @Test
    @Order(10)
    void networkLosesReplies() {
        networkFault("5b. leader's Redis replies held back, 2x lease", Direction.DOWNSTREAM);
    }

    @Test
    @Order(11)
    void networkLatencyNearTheOperationTimeout() {
        Scenario scenario = new Scenario("5c. 130 ms each way (op timeout 300 ms), 3x lease");
        for (int round = 0; round < ROUNDS; round++) {
            String leader = lab.awaitOneLeader(STEP);
            lab.proxy(leader).latency(Duration.ofMillis(130));
            FaultLab.pause(LEASE.multipliedBy(3));
            lab.proxy(leader).heal();
        }
        lab.awaitOneLeader(STEP);
        scenario.finish();
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
    @Order(16)
    void yieldAndGracefulStopWhileTheGatewayIsBusy() throws Exception {
        Scenario scenario = new Scenario("8. yield and graceful stop under load");
        try (Load load = new Load()) {
            for (int round = 0; round < ROUNDS; round++) {
                String leader = lab.awaitOneLeader(STEP);
                assertThat(lab.app(leader).post("/actuator/leader", "{}").statusCode())
                        .isEqualTo(200);
                String next = lab.awaitOneLeader(STEP, leader);
                lab.app(next).stop();
                lab.awaitOneLeader(STEP, next);
                lab.launch(next);
                awaitRole(next, "FOLLOWER", Duration.ofSeconds(90));
            }
            assertThat(load.answered()).as("commands answered by the leader").isPositive();
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

    /**
     * Waits for a term after {@code before}'s to greet the destination, then for that leader alone:
     * right after a store change the old leader may still count on its lease, and look like one.
     */
    private static String awaitNewTerm(Session before) {
        FaultLab.await(
                "a term after token " + before.fencingToken(),
                STEP,
                () -> HistoryChecker.firstNewTerm(
                                lab.destination().sessions(), before.firstWrite(), before.fencingToken())
                        .isPresent(),
                () -> lab.statuses().toString());
        return lab.awaitOneLeader(STEP);
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

    /** Each round, {@code fault} must make the leader close its session. */
    private void termEndedBy(String name, Runnable fault) {
        Scenario scenario = new Scenario(name);
        for (int round = 0; round < ROUNDS; round++) {
            String leader = lab.awaitOneLeader(STEP);
            int connection = lab.openSessionOf(leader).connection();
            fault.run();
            awaitStepDown(leader, connection, scenario);
        }
        lab.awaitOneLeader(STEP);
        scenario.finish();
    }

    private void leaderFrozen(double leases) {
        Scenario scenario = new Scenario("2. leader frozen (SIGSTOP) for " + leases + "x lease");
        for (int round = 0; round < ROUNDS; round++) {
            String leader = lab.awaitOneLeader(STEP);
            lab.freeze(leader);
            FaultLab.pause(Duration.ofMillis((long) (LEASE.toMillis() * leases)));
            lab.thaw(leader);
        }
        lab.awaitOneLeader(STEP);
        scenario.finish();
    }

    private void redisFrozen(double leases) {
        Scenario scenario = new Scenario("3. Redis frozen (SIGSTOP) for " + leases + "x lease");
        for (int round = 0; round < ROUNDS; round++) {
            String leader = lab.awaitOneLeader(STEP);
            int connection = lab.openSessionOf(leader).connection();
            lab.redis().pause();
            try {
                awaitStepDown(leader, connection, scenario);
                FaultLab.pause(Duration.ofMillis((long) (LEASE.toMillis() * leases)));
            } finally {
                lab.redis().resume();
            }
        }
        lab.awaitOneLeader(STEP);
        scenario.finish();
    }

    private void redisRestartedEmpty(String name, Duration down) {
        Scenario scenario = new Scenario(name);
        for (int round = 0; round < ROUNDS; round++) {
            String leader = lab.awaitOneLeader(STEP);
            int connection = lab.openSessionOf(leader).connection();
            lab.redis().kill();
            FaultLab.pause(down);
            lab.redis().start();
            // the lease is gone with the data: the old leader must end its term before anyone leads again
            awaitStepDown(leader, connection, scenario);
        }
        lab.awaitOneLeader(STEP);
        scenario.finish();
    }

    private void networkFault(String name, Direction... held) {
        Scenario scenario = new Scenario(name);
        for (int round = 0; round < ROUNDS; round++) {
            String leader = lab.awaitOneLeader(STEP);
            int connection = lab.openSessionOf(leader).connection();
            lab.proxy(leader).hold(held);
            try {
                awaitStepDown(leader, connection, scenario);
                FaultLab.pause(LEASE.multipliedBy(2));
            } finally {
                lab.proxy(leader).heal();
            }
        }
        lab.awaitOneLeader(STEP);
        scenario.finish();
    }

    /**
     * Waits until {@code leader} closed its session, and records how late that was: the close minus
     * its lease's end as the leader itself counts it (last renewal plus the lease).
     */
    private static void awaitStepDown(String leader, int connection, Scenario scenario) {
        FaultLab.await(
                leader + " to close its session",
                LEASE.multipliedBy(3),
                () -> !lab.session(connection).isOpen(),
                () -> lab.statuses().toString());
        LeaderStatus[] answer = new LeaderStatus[1];
        FaultLab.await(
                "an answer from " + leader,
                Duration.ofSeconds(10),
                () -> (answer[0] = lab.app(leader).status()).leaseDuration() != null,
                () -> String.valueOf(answer[0]));
        LeaderStatus status = answer[0];
        if (status.lastRenewal() != null && !status.isLeader()) {
            Instant deadline = status.lastRenewal().plus(LEASE);
            scenario.lateness(Duration.between(
                    deadline, lab.wallClock(lab.session(connection).closedAt())));
        }
    }

    private static void awaitRole(String name, String role, Duration timeout) {
        FaultLab.await(
                name + " in " + role,
                timeout,
                () -> lab.app(name).status().role().equals(role),
                () -> lab.statuses().toString());
    }

    /** One scenario's window in the history, its figures and its verdict. */
    private static final class Scenario {

        private final String name;
        private final long since = System.nanoTime();
        private final List<Duration> lateness = new ArrayList<>();
        private final List<Duration> grantsAfterPromotion = new ArrayList<>();

        Scenario(String name) {
            this.name = name;
            System.out.println(Instant.now() + " scenario " + name); // lines up with the instances' logs
        }

        void lateness(Duration late) {
            lateness.add(late);
        }

        /** When a new term began after a replica was promoted, the earliest sign of it. */
        void grantAfterPromotion(Duration after) {
            grantsAfterPromotion.add(after);
        }

        void finish() {
            HistoryChecker.Verdict verdict = lab.verdictSince(since);
            Long maxLateness =
                    lateness.stream().map(Duration::toMillis).max(Long::compare).orElse(null);
            Duration firstGrant =
                    grantsAfterPromotion.stream().min(Duration::compareTo).orElse(null);
            results.add(new ResultsTable.Row(
                    name,
                    ROUNDS,
                    verdict.violations().size(),
                    Duration.ofNanos(verdict.maxLeaderlessGapNanos()).toMillis(),
                    maxLateness,
                    firstGrant == null ? null : firstGrant.toMillis()));
            assertThat(verdict.violations()).as(name).isEmpty();
            assertThat(grantsAfterPromotion.stream()
                            .filter(after -> after.compareTo(LEASE.minus(GRANT_SLACK)) < 0)
                            .toList())
                    .as(name + ": new terms that began within one lease of the promotion, in "
                            + grantsAfterPromotion.size() + " rounds")
                    .isEmpty();
            if (maxLateness != null) {
                assertThat(maxLateness)
                        .as(name + ": closed after the lease had ended")
                        .isNegative();
            }
        }
    }

    /** Sends commands to every instance, as clients would, until closed. */
    private static final class Load implements AutoCloseable {

        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger answered = new AtomicInteger();
        private final Thread thread = new Thread(this::run, "load");

        Load() {
            thread.setDaemon(true);
            thread.start();
        }

        int answered() {
            return answered.get();
        }

        private void run() {
            while (running.get()) {
                for (String name : lab.names()) {
                    try {
                        if (lab.app(name)
                                        .post("/telnet/commands", "{\"line\":\"work\"}")
                                        .statusCode()
                                == 200) {
                            answered.incrementAndGet();
                        }
                    } catch (IOException | RuntimeException ex) {
                        // an instance stopping or starting
                    } catch (InterruptedException ex) {
                        return;
                    }
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
        }
    }
}
