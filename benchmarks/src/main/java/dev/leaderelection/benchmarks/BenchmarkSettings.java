package dev.leaderelection.benchmarks;

import dev.leaderelection.ElectionTimings;
import java.time.Duration;
import java.util.List;

/**
 * What the benchmarks run with: the election timings and how long or how often each measurement
 * goes on.
 *
 * @param leaseDuration the lease of every election
 * @param renewInterval how often leaders renew
 * @param operationTimeout the bound of one store call
 * @param instances how many elector processes take part in the failover rounds
 * @param crashRounds takeovers measured after a SIGKILL of the leader
 * @param handOffRounds hand-offs measured after a graceful stop, and again after a yield
 * @param followerCounts idle followers next to one leader at each store-load point, in rising order
 * @param loadWindow how long Redis commands are counted at each store-load point
 * @param electionCounts elections in one JVM at each scale point
 * @param scaleWarmUp how long each scale JVM runs before its window opens
 * @param scaleWindow how long CPU time and Redis commands are counted at each scale point
 * @param defaultTimingCounts elections in one JVM at each scale point with the library's default
 *     timings (none: no such points)
 * @param jmhForks JMH forks per benchmark; 0 runs in this JVM
 * @param jmhWarmUpIterations JMH warm-up iterations
 * @param jmhIterations JMH measurement iterations
 * @param jmhIterationTime the length of one JMH iteration
 */
public record BenchmarkSettings(
        Duration leaseDuration,
        Duration renewInterval,
        Duration operationTimeout,
        int instances,
        int crashRounds,
        int handOffRounds,
        List<Integer> followerCounts,
        Duration loadWindow,
        List<Integer> electionCounts,
        Duration scaleWarmUp,
        Duration scaleWindow,
        List<Integer> defaultTimingCounts,
        int jmhForks,
        int jmhWarmUpIterations,
        int jmhIterations,
        Duration jmhIterationTime) {

    /** The published run: the sample app's timings (lease 2 s, renew 500 ms, operation timeout 300 ms). */
    public static BenchmarkSettings full() {
        return new BenchmarkSettings(
                Duration.ofSeconds(2),
                Duration.ofMillis(500),
                Duration.ofMillis(300),
                3,
                20,
                20,
                List.of(0, 1, 10, 50),
                Duration.ofSeconds(12),
                List.of(1, 100, 1000),
                Duration.ofSeconds(25),
                Duration.ofSeconds(15),
                List.of(100, 1000, 10000),
                1,
                4,
                8,
                Duration.ofMillis(500));
    }

    /** A run of a few seconds that proves every measurement works; its figures mean nothing. */
    public static BenchmarkSettings smoke() {
        return new BenchmarkSettings(
                Duration.ofMillis(800),
                Duration.ofMillis(200),
                Duration.ofMillis(200),
                2,
                1,
                1,
                List.of(0, 2),
                Duration.ofMillis(800),
                List.of(20),
                Duration.ofMillis(300),
                Duration.ofMillis(800),
                List.of(),
                0,
                0,
                1,
                Duration.ofMillis(50));
    }

    /** The election timings every elector of the benchmarks runs with. */
    public ElectionTimings timings() {
        return timings(leaseDuration, renewInterval, operationTimeout);
    }

    /** Timings with the library's defaults for everything but the three given durations. */
    static ElectionTimings timings(Duration leaseDuration, Duration renewInterval, Duration operationTimeout) {
        return ElectionTimings.builder()
                .leaseDuration(leaseDuration)
                .renewInterval(renewInterval)
                .operationTimeout(operationTimeout)
                .build();
    }

    /** The three durations as command-line arguments of a child process, in milliseconds. */
    List<String> timingArguments() {
        return timingArguments(timings());
    }

    /** Lease, renew interval and operation timeout of {@code timings} as arguments, in milliseconds. */
    static List<String> timingArguments(ElectionTimings timings) {
        return List.of(
                Long.toString(timings.leaseDuration().toMillis()),
                Long.toString(timings.renewInterval().toMillis()),
                Long.toString(timings.operationTimeout().toMillis()));
    }

    /** Reads what {@link #timingArguments()} wrote, starting at {@code args[from]}. */
    static ElectionTimings timingsFrom(String[] args, int from) {
        return timings(
                Duration.ofMillis(Long.parseLong(args[from])),
                Duration.ofMillis(Long.parseLong(args[from + 1])),
                Duration.ofMillis(Long.parseLong(args[from + 2])));
    }
}
