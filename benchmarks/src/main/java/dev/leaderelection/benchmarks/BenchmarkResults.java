package dev.leaderelection.benchmarks;

import dev.leaderelection.benchmarks.jmh.LeaderOnlyBenchmarkRun;
import java.time.Instant;
import java.util.List;

/**
 * Everything one run measured, with what it ran on and with.
 *
 * @param settings the timings and run lengths
 * @param machine the machine
 * @param started when the run began
 * @param finished when it ended
 * @param guard the {@code @LeaderOnly} micro-benchmark
 * @param failover crash takeover and hand-offs on Redis
 * @param load the store load of idle followers on Redis
 * @param scale many elections in one JVM, on Redis
 * @param stores every store's failover and load rows, Redis first
 * @param sideBySide whole Spring Boot applications: this project and its peers, on Redis
 */
record BenchmarkResults(
        BenchmarkSettings settings,
        MachineInfo machine,
        Instant started,
        Instant finished,
        LeaderOnlyBenchmarkRun.Result guard,
        FailoverBenchmark.Result failover,
        StoreLoadBenchmark.Result load,
        ScaleBenchmark.Result scale,
        List<StoreRun> stores,
        SideBySideBenchmark.Result sideBySide) {}
