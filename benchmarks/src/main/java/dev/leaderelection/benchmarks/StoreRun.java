package dev.leaderelection.benchmarks;

import org.jspecify.annotations.Nullable;

/**
 * One store's rows of a run: failover and hand-off, and the load of idle followers.
 *
 * @param store the store's name ({@code leader.election.store})
 * @param displayName the store as the table names it
 * @param server the server and its version
 * @param failover crash takeover and hand-offs
 * @param load the store load of idle followers; {@code null} where the server cannot count requests
 */
record StoreRun(
        String store,
        String displayName,
        String server,
        FailoverBenchmark.Result failover,
        StoreLoadBenchmark.@Nullable Result load) {

    /** Runs failover and store load on {@code store}. */
    static StoreRun measure(BenchmarkSettings settings, BenchmarkStore store) {
        Benchmarks.progress(store.displayName() + " failover: " + settings.crashRounds() + " crashes, "
                + settings.handOffRounds() + " graceful stops and " + settings.handOffRounds() + " yields");
        FailoverBenchmark.Result failover = new FailoverBenchmark(settings, store).run();
        Benchmarks.progress(store.displayName() + " store load with followers " + settings.followerCounts());
        StoreLoadBenchmark.Result load = new StoreLoadBenchmark(settings, store).run();
        return new StoreRun(store.name(), store.displayName(), store.server(), failover, load);
    }
}
