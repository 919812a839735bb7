package dev.leaderelection.benchmarks;

import dev.leaderelection.benchmarks.jmh.LeaderOnlyBenchmarkRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs every benchmark and writes the report: the {@code @LeaderOnly} micro-benchmark first, while
 * nothing else runs, then failover, store load and scale against one {@code redis-server} process
 * on a free loopback port, then failover and store load on each further store that {@code
 * -Dbenchmarks.stores} names ({@link BenchmarkStores}), one server at a time. The side-by-side
 * benchmark (whole Spring Boot applications: this project and its peers, {@link
 * SideBySideBenchmark}) runs on the Redis server too.
 *
 * <p>Argument: the report file (default {@code docs/benchmarks.md}). With {@code
 * -Dbenchmarks.only=peers} only the side-by-side benchmark runs, with few rounds, and its table is
 * printed, not written.
 */
public final class Benchmarks {

    /** The command that runs this from the repository root. */
    public static final String COMMAND = "./mvnw -B -Pbenchmarks -pl benchmarks -am -DskipTests verify";

    private Benchmarks() {}

    public static void main(String[] args) throws IOException {
        if ("peers".equals(System.getProperty("benchmarks.only"))) {
            SideBySideBenchmark.main(new String[0]);
            return;
        }
        Path report = Path.of(args.length > 0 ? args[0] : "docs/benchmarks.md");
        BenchmarkResults results = run(BenchmarkSettings.full(), SideBySideBenchmark.Settings.full());
        String markdown = BenchmarkReport.markdown(results, COMMAND);
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, markdown);
        System.out.println(markdown);
        System.out.println("Written to " + report.toAbsolutePath().normalize());
        System.exit(0);
    }

    /** Runs every benchmark with {@code settings}, and the side-by-side one with {@code sideBySide}. */
    static BenchmarkResults run(BenchmarkSettings settings, SideBySideBenchmark.Settings sideBySide) {
        Instant started = Instant.now();
        progress("@LeaderOnly micro-benchmark (JMH)");
        LeaderOnlyBenchmarkRun.Result guard = LeaderOnlyBenchmarkRun.run(settings);
        List<StoreRun> stores = new ArrayList<>();
        String version;
        ScaleBenchmark.Result scale;
        SideBySideBenchmark.Result peers;
        try (RedisBenchmarkStore redis = (RedisBenchmarkStore) BenchmarkStores.start("redis")) {
            version = redis.version();
            stores.add(StoreRun.measure(settings, redis));
            progress("scale with elections " + settings.electionCounts());
            scale = new ScaleBenchmark(settings, redis.port()).run();
            peers = new SideBySideBenchmark(sideBySide, redis.port()).run();
        }
        for (String name :
                BenchmarkStores.names().subList(1, BenchmarkStores.names().size())) {
            try (BenchmarkStore store = BenchmarkStores.start(name)) {
                stores.add(StoreRun.measure(settings, store));
            }
        }
        StoreRun redis = stores.get(0);
        return new BenchmarkResults(
                settings,
                MachineInfo.describe(version),
                started,
                Instant.now(),
                guard,
                redis.failover(),
                Objects.requireNonNull(redis.load(), "Redis counts its requests"),
                scale,
                stores,
                peers);
    }

    static void progress(String step) {
        System.out.println("== " + Instant.now() + " " + step);
    }
}
