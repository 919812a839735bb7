package dev.leaderelection.benchmarks;

import dev.leaderelection.benchmarks.jmh.LeaderOnlyBenchmarkRun;
import dev.leaderelection.testing.redis.RedisServer;
import dev.leaderelection.testing.redis.RedisServers;
import dev.leaderelection.testing.redis.RedisServers.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Runs every benchmark and writes the report: the {@code @LeaderOnly} micro-benchmark first, while
 * nothing else runs, then failover, store load and scale against one {@code redis-server} process
 * on a free loopback port.
 *
 * <p>Argument: the report file (default {@code docs/benchmarks.md}).
 */
public final class Benchmarks {

    /** The command that runs this from the repository root. */
    public static final String COMMAND = "./mvnw -B -Pbenchmarks -pl benchmarks -am -DskipTests verify";

    private Benchmarks() {}

    public static void main(String[] args) throws IOException {
        Path report = Path.of(args.length > 0 ? args[0] : "docs/benchmarks.md");
        BenchmarkResults results = run(BenchmarkSettings.full());
        String markdown = BenchmarkReport.markdown(results, COMMAND);
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, markdown);
        System.out.println(markdown);
        System.out.println("Written to " + report.toAbsolutePath().normalize());
        System.exit(0);
    }

    /** Runs every benchmark with {@code settings}. */
    static BenchmarkResults run(BenchmarkSettings settings) {
        Instant started = Instant.now();
        progress("@LeaderOnly micro-benchmark (JMH)");
        LeaderOnlyBenchmarkRun.Result guard = LeaderOnlyBenchmarkRun.run(settings);
        try (RedisServer redis = RedisServers.start(Backend.PROCESS)) {
            String version;
            try (RedisStats stats = new RedisStats(redis.port())) {
                version = stats.snapshot().redisVersion();
            }
            progress("failover: " + settings.crashRounds() + " crashes, " + settings.handOffRounds()
                    + " graceful stops and " + settings.handOffRounds() + " yields");
            FailoverBenchmark.Result failover = new FailoverBenchmark(settings, redis.port()).run();
            progress("store load with followers " + settings.followerCounts());
            StoreLoadBenchmark.Result load = new StoreLoadBenchmark(settings, redis.port()).run();
            progress("scale with elections " + settings.electionCounts());
            ScaleBenchmark.Result scale = new ScaleBenchmark(settings, redis.port()).run();
            return new BenchmarkResults(
                    settings, MachineInfo.describe(version), started, Instant.now(), guard, failover, load, scale);
        }
    }

    private static void progress(String step) {
        System.out.println("== " + Instant.now() + " " + step);
    }
}
