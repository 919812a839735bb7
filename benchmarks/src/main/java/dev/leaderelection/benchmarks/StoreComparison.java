package dev.leaderelection.benchmarks;

import java.time.Duration;
import java.util.List;

/**
 * A short run of the per-store rows only (no JMH, no scale): failover, hand-offs and idle-follower
 * load for Redis and the stores {@code -Dbenchmarks.stores} names, with the published timings but
 * fewer rounds. Prints the "Stores side by side" table of {@link BenchmarkReport}. For a quick
 * comparison when a store plugs in; the published figures come from {@link Benchmarks}.
 *
 * <p>{@code java -Dbenchmarks.stores=jdbc -cp <benchmarks classpath>
 * dev.leaderelection.benchmarks.StoreComparison [rounds]}
 */
final class StoreComparison {

    private StoreComparison() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        BenchmarkSettings full = BenchmarkSettings.full();
        BenchmarkSettings settings = new BenchmarkSettings(
                full.leaseDuration(),
                full.renewInterval(),
                full.operationTimeout(),
                full.instances(),
                rounds,
                rounds,
                List.of(0, 10),
                Duration.ofSeconds(12),
                full.electionCounts(),
                full.scaleWarmUp(),
                full.scaleWindow(),
                List.of(),
                full.jmhForks(),
                full.jmhWarmUpIterations(),
                full.jmhIterations(),
                full.jmhIterationTime());
        System.out.println(
                "| store | server | takeover after SIGKILL | past the lease's end | hand-off after a graceful"
                        + " stop | hand-off after a yield | requests/s per idle follower |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String name : BenchmarkStores.names()) {
            try (BenchmarkStore store = BenchmarkStores.start(name)) {
                StoreRun run = StoreRun.measure(settings, store);
                FailoverBenchmark.Result failover = run.failover();
                StoreLoadBenchmark.Result load = run.load();
                String perFollower = load == null || load.withFollowers().isEmpty()
                        ? "n/a"
                        : String.format(
                                "%.2f",
                                load.requestsPerFollower(load.withFollowers()
                                        .get(load.withFollowers().size() - 1)));
                System.out.println("| " + run.displayName() + " | " + run.server() + " | "
                        + describe(failover.crashTakeover()) + " | "
                        + (failover.crashOvershoot() == null ? "n/a" : describe(failover.crashOvershoot()))
                        + " | " + describe(failover.stopHandOff()) + " | " + describe(failover.yieldHandOff())
                        + " | " + perFollower + " |");
            }
        }
        System.exit(0);
    }

    private static String describe(Distribution distribution) {
        return String.format("%.1f (max %.1f)", distribution.median(), distribution.max());
    }
}
