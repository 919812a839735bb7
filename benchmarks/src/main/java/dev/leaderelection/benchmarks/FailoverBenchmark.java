package dev.leaderelection.benchmarks;

import static dev.leaderelection.benchmarks.ElectorEvent.GRANTED;
import static dev.leaderelection.benchmarks.ElectorEvent.STOPPED;
import static dev.leaderelection.benchmarks.ElectorEvent.STOP_CALLED;
import static dev.leaderelection.benchmarks.ElectorEvent.YIELD_CALLED;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Moves leadership between {@link ElectorApp} processes and times each move, from the cause to the
 * successor's grant, both on {@link System#nanoTime()}: on Linux that is {@code CLOCK_MONOTONIC},
 * one clock for all processes of the machine, so stamps of different JVMs compare directly.
 *
 * <ul>
 *   <li>crash: the harness stamps the time, then sends SIGKILL to the leader; the successor stamps
 *       its grant. Each kill falls at a random point of the renewal cycle. The overshoot is the grant
 *       minus the moment the dead leader's lease runs out, read from the store right after the kill
 *       (Redis: {@code PTTL}); not measured on a store that cannot tell.
 *   <li>graceful stop: the leader stamps the start of {@code stop()}; the successor its grant.
 *   <li>yield: the leader stamps the start of {@code yieldLeadership()}; the successor its grant.
 * </ul>
 *
 * <p>Stamping the grant inside the successor leaves out the pipe to the harness, which a real
 * successor does not wait for either. Every round starts once every elector listens for releases.
 */
final class FailoverBenchmark {

    /** How long any one step may take before the run fails. */
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);

    private static final String ELECTION = "failover";

    private final BenchmarkSettings settings;
    private final BenchmarkStore store;
    private final EventLog events = new EventLog();
    private final Map<String, ElectorProcess> processes = new LinkedHashMap<>();
    private String leader = "";

    FailoverBenchmark(BenchmarkSettings settings, BenchmarkStore store) {
        this.settings = settings;
        this.store = store;
    }

    /**
     * The measurements, in milliseconds.
     *
     * @param crashTakeover from SIGKILL of the leader to the successor's grant
     * @param crashOvershoot from the end of the dead leader's lease to the successor's grant; {@code
     *     null} where the store cannot tell when a lease ends
     * @param stopHandOff from the start of a graceful stop to the successor's grant
     * @param yieldHandOff from the start of a yield to the successor's grant
     */
    record Result(
            Distribution crashTakeover,
            @Nullable Distribution crashOvershoot,
            Distribution stopHandOff,
            Distribution yieldHandOff) {}

    Result run() {
        try {
            int mark = events.mark();
            for (int i = 1; i <= settings.instances(); i++) {
                launch("node-" + i);
            }
            leader = events.await(
                            mark, STEP_TIMEOUT, "first leader", e -> e.kind().equals(GRANTED))
                    .instance();
            for (String instance : processes.keySet()) {
                if (!instance.equals(leader)) {
                    awaitFollower(mark, instance);
                }
            }
            List<Double> stops = new ArrayList<>();
            for (int round = 0; round < settings.handOffRounds(); round++) {
                stops.add(stopRound());
            }
            List<Double> yields = new ArrayList<>();
            for (int round = 0; round < settings.handOffRounds(); round++) {
                yields.add(yieldRound());
            }
            List<Double> takeovers = new ArrayList<>();
            List<Double> overshoots = new ArrayList<>();
            for (int round = 1; round <= settings.crashRounds(); round++) {
                crashRound(takeovers, overshoots, round < settings.crashRounds());
            }
            return new Result(
                    new Distribution(takeovers),
                    overshoots.isEmpty() ? null : new Distribution(overshoots),
                    new Distribution(stops),
                    new Distribution(yields));
        } finally {
            processes.values().forEach(ElectorProcess::close);
            processes.clear();
        }
    }

    private void crashRound(List<Double> takeovers, List<Double> overshoots, boolean restart) {
        awaitEveryoneListening();
        String victim = leader;
        // Kill at a random point of the renewal cycle, counted from a renewal seen now.
        events.await(events.mark(), STEP_TIMEOUT, "renewal of " + victim, e -> e.answered(victim, "RENEW"));
        Waits.sleep(Duration.ofNanos(
                ThreadLocalRandom.current().nextLong(settings.renewInterval().toNanos())));
        int mark = events.mark();
        long killedAt = processes.get(victim).kill();
        // Where the dead leader's lease ends, by the store's own clock (Redis: to the millisecond).
        long now = System.nanoTime();
        OptionalLong remaining = store.remainingLeaseMillis(ELECTION);
        ElectorEvent grant = awaitGrantOfAnother(mark, victim);
        takeovers.add(millis(grant.nanos() - killedAt));
        if (remaining.isPresent()) {
            long leaseEnd = now + TimeUnit.MILLISECONDS.toNanos(remaining.getAsLong());
            overshoots.add(millis(grant.nanos() - leaseEnd));
        }
        leader = grant.instance();
        processes.remove(victim);
        if (restart) {
            int relaunched = events.mark();
            launch(victim);
            awaitFollower(relaunched, victim);
        }
    }

    private double stopRound() {
        awaitEveryoneListening();
        String stopping = leader;
        int mark = events.mark();
        processes.get(stopping).send("stop");
        ElectorEvent called = events.await(mark, STEP_TIMEOUT, "stop of " + stopping, e -> e.is(stopping, STOP_CALLED));
        ElectorEvent grant = awaitGrantOfAnother(mark, stopping);
        events.await(mark, STEP_TIMEOUT, "end of stop of " + stopping, e -> e.is(stopping, STOPPED));
        leader = grant.instance();
        int restart = events.mark();
        processes.get(stopping).send("start");
        awaitFollower(restart, stopping);
        return millis(grant.nanos() - called.nanos());
    }

    private double yieldRound() {
        awaitEveryoneListening();
        String yielding = leader;
        int mark = events.mark();
        processes.get(yielding).send("yield");
        ElectorEvent called =
                events.await(mark, STEP_TIMEOUT, "yield of " + yielding, e -> e.is(yielding, YIELD_CALLED));
        ElectorEvent grant = awaitGrantOfAnother(mark, yielding);
        leader = grant.instance();
        // Its cooldown is over when it campaigns again; only then can it take part in the next round.
        events.await(mark, STEP_TIMEOUT, "end of cooldown of " + yielding, e -> e.answered(yielding, "ACQUIRE"));
        return millis(grant.nanos() - called.nanos());
    }

    /**
     * Waits until every elector listens for releases, where the store can tell. An elector
     * subscribes in the background when it starts, after it may already follow; a release before
     * that wakes only the others.
     */
    private void awaitEveryoneListening() {
        if (store.releaseListeners(ELECTION).isEmpty()) {
            return;
        }
        Waits.until(
                "every elector listening for releases of " + ELECTION + " on " + store.displayName(),
                STEP_TIMEOUT,
                () -> store.releaseListeners(ELECTION).orElse(0) >= processes.size());
    }

    private void launch(String instance) {
        processes.put(instance, ElectorProcess.launch(instance, ELECTION, store, settings, events));
    }

    private ElectorEvent awaitGrantOfAnother(int mark, String previous) {
        return events.await(
                mark,
                STEP_TIMEOUT,
                "grant to an instance other than " + previous,
                e -> e.kind().equals(GRANTED) && !e.instance().equals(previous));
    }

    private void awaitFollower(int mark, String instance) {
        events.await(mark, STEP_TIMEOUT, instance + " following", e -> e.entered(instance, "FOLLOWER"));
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
