package dev.leaderelection.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.testing.process.LeaderStatus;
import dev.leaderelection.testing.proxy.Direction;
import dev.leaderelection.testing.store.StoreServer;
import dev.leaderelection.testing.store.StoreServer.Capability;
import dev.leaderelection.testing.store.StoreServers;
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
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault scenarios every store runs: three sample-app JVMs on one store's server under one fault
 * per scenario; the observing destination's history must show no two holders at once, and tokens
 * that only grow. Rounds per scenario: {@code -Dfaults.rounds} (1 by default, 20 with {@code
 * -Pchaos}). Prints the store's table at the end and writes it to {@code results-<store>.md} in
 * {@code faults.log-dir}.
 *
 * <p>A store plugs in with a subclass named {@code <Store>FaultToleranceIT} that passes its name
 * (its server comes from {@code StoreServers.start(name)}) and adds the rows only it has, with an
 * {@code @Order} above 100 (the Redis-only rows fill 12 to 15 and 17 to 20). A row whose fault the
 * store's server does not support ({@link Capability}) is reported as n/a, not skipped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class StoreFaultScenarios {

    protected static final int ROUNDS = Integer.getInteger("faults.rounds", 1);
    protected static final Duration LEASE = FaultLab.LEASE;
    protected static final Duration STEP = Duration.ofSeconds(30);
    /** Three JVMs starting at once on a shared, busy machine: a bound on startup, not a measurement. */
    private static final Duration LAB_STARTUP = Duration.ofMinutes(5);

    private final String storeName;
    private final ResultsTable results = new ResultsTable();
    protected FaultLab lab;

    /** The scenarios on {@code store}'s server, a {@code leader.election.store} name. */
    protected StoreFaultScenarios(String store) {
        this.storeName = store;
    }

    @BeforeAll
    void startTheLab() {
        lab = new FaultLab(
                startStore(),
                Path.of(System.getProperty("faults.app-jar")),
                Path.of(System.getProperty("faults.log-dir"), storeName));
        List.of("app-1", "app-2", "app-3").forEach(lab::launch);
        lab.awaitOneLeader(LAB_STARTUP);
    }

    @AfterAll
    void stopTheLabAndReport() throws IOException {
        String name = lab.store().displayName();
        lab.close();
        String table = results.render();
        System.out.println("Fault-tolerance results on " + name + ":");
        System.out.println(table);
        Files.writeString(Path.of(System.getProperty("faults.log-dir"), "results-" + storeName + ".md"), table);
    }

    /** Starts the server the lab runs on: the store's own ({@link StoreServers#start}) unless overridden. */
    protected StoreServer startStore() {
        return StoreServers.start(storeName);
    }

    /** The store's server. */
    protected StoreServer store() {
        return lab.store();
    }

    /** The store's name in a scenario title. */
    protected String storeTitle() {
        return lab.store().displayName();
    }

    /** What a grant may come early after a promotion: clock reading and rounding, never a renewal. */
    protected static final Duration GRANT_SLACK = Duration.ofMillis(50);

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
    void storeFrozenForHalfALease() {
        storeFrozen(0.5);
    }

    @Test
    @Order(6)
    void storeFrozenForThreeLeases() {
        storeFrozen(3);
    }

    @Test
    @Order(7)
    void storeRestartedWithinTheLease() {
        storeRestarted(
                "4a. " + storeTitle() + " restarted " + restartedHow() + " at once, within the lease", Duration.ZERO);
    }

    @Test
    @Order(8)
    void storeRestartedAfterTheLease() {
        storeRestarted(
                "4b. " + storeTitle() + " restarted " + restartedHow() + " after 2x lease", LEASE.multipliedBy(2));
    }

    @Test
    @Order(9)
    void networkCutBothWays() {
        networkFault(
                "5a. leader cut off from " + storeTitle() + ", both ways, 2x lease",
                Direction.UPSTREAM,
                Direction.DOWNSTREAM);
    }

    @Test
    @Order(10)
    void networkLosesReplies() {
        networkFault("5b. leader's " + storeTitle() + " replies held back, 2x lease", Direction.DOWNSTREAM);
    }

    @Test
    @Order(11)
    void networkLatencyNearTheOperationTimeout() {
        String name = "5c. 130 ms each way (op timeout 300 ms), 3x lease";
        if (notApplicable(name, Capability.PROXY)) {
            return;
        }
        Scenario scenario = new Scenario(name);
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

    /** How a restart leaves the store's data, for a scenario title. */
    private String restartedHow() {
        return store().keepsDataOnRestart() ? "on its data" : "empty";
    }

    /**
     * Whether the store's server lacks one of {@code needed}: then the scenario's row says n/a and
     * the scenario does not run.
     */
    protected boolean notApplicable(String name, Capability... needed) {
        for (Capability capability : needed) {
            if (!store().supports(capability)) {
                System.out.println(
                        Instant.now() + " scenario " + name + ": n/a, " + storeTitle() + " has no " + capability);
                results.add(ResultsTable.Row.notApplicable(name));
                return true;
            }
        }
        return false;
    }

    /**
     * Waits for a term after {@code before}'s to greet the destination, then for that leader alone:
     * right after a store change the old leader may still count on its lease, and look like one.
     */
    protected String awaitNewTerm(Session before) {
        FaultLab.await(
                "a term after token " + before.fencingToken(),
                STEP,
                () -> HistoryChecker.firstNewTerm(
                                lab.destination().sessions(), before.firstWrite(), before.fencingToken())
                        .isPresent(),
                () -> lab.statuses().toString());
        return lab.awaitOneLeader(STEP);
    }

    /** Each round, {@code fault} must make the leader close its session. */
    protected void termEndedBy(String name, Runnable fault) {
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

    private void storeFrozen(double leases) {
        String name = "3. " + storeTitle() + " frozen (SIGSTOP) for " + leases + "x lease";
        if (notApplicable(name, Capability.FREEZE)) {
            return;
        }
        Scenario scenario = new Scenario(name);
        for (int round = 0; round < ROUNDS; round++) {
            String leader = lab.awaitOneLeader(STEP);
            int connection = lab.openSessionOf(leader).connection();
            store().freeze();
            try {
                awaitStepDown(leader, connection, scenario);
                FaultLab.pause(Duration.ofMillis((long) (LEASE.toMillis() * leases)));
            } finally {
                store().resume();
            }
        }
        lab.awaitOneLeader(STEP);
        scenario.finish();
    }

    private void storeRestarted(String name, Duration down) {
        if (notApplicable(name, Capability.KILL, Capability.RESTART)) {
            return;
        }
        Scenario scenario = new Scenario(name);
        for (int round = 0; round < ROUNDS; round++) {
            String leader = lab.awaitOneLeader(STEP);
            int connection = lab.openSessionOf(leader).connection();
            store().kill();
            FaultLab.pause(down);
            store().start();
            // the old leader cannot renew while the store is down: it must end its term before anyone leads again
            awaitStepDown(leader, connection, scenario);
        }
        lab.awaitOneLeader(STEP);
        scenario.finish();
    }

    private void networkFault(String name, Direction... held) {
        if (notApplicable(name, Capability.PROXY)) {
            return;
        }
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
    protected void awaitStepDown(String leader, int connection, Scenario scenario) {
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

    protected void awaitRole(String name, String role, Duration timeout) {
        FaultLab.await(
                name + " in " + role,
                timeout,
                () -> lab.app(name).status().role().equals(role),
                () -> lab.statuses().toString());
    }

    /** One scenario's window in the history, its figures and its verdict. */
    protected final class Scenario {

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
    private final class Load implements AutoCloseable {

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
