package dev.leaderelection.benchmarks;

import dev.leaderelection.ElectionTimings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link ScaleApp} once per election count, each in a fresh JVM so that its process CPU time
 * holds nothing but the elections (and the JVM's own upkeep). With the what-if, the largest count runs
 * once more with the library's default timings.
 */
final class ScaleBenchmark {

    /** A service-sized heap; the collector is the JVM's default (G1 on this machine). */
    static final List<String> JVM_OPTIONS = List.of("-Xmx512m");

    private final BenchmarkSettings settings;
    private final int port;

    ScaleBenchmark(BenchmarkSettings settings, int port) {
        this.settings = settings;
        this.port = port;
    }

    /**
     * What one JVM ran.
     *
     * @param elections elections running in it, all led by it
     * @param timings their timings
     */
    record Case(int elections, ElectionTimings timings) {}

    /**
     * The measurements of one JVM.
     *
     * @param run what it ran
     * @param cpuShare process CPU time per second of wall time (1.0 is one core)
     * @param javaThreadsCpuShare the same for the threads the JVM lists, which leaves out the JIT
     *     compilers and the garbage collectors: the elections' own work once warm
     * @param commandsPerSecond Redis commands per second, as {@code total_commands_processed} counts
     * @param requestsPerSecond Redis requests per second (one per store call)
     * @param redisCpuShare the Redis server's CPU time per second
     * @param revocations leaderships lost during the window (0 when the JVM keeps up)
     * @param leadersAtEnd elections this JVM still led at the end of the window
     * @param jitMillis time the JIT compilers spent during the window
     * @param gcMillis time the garbage collectors spent during the window
     */
    record Point(
            Case run,
            double cpuShare,
            double javaThreadsCpuShare,
            double commandsPerSecond,
            double requestsPerSecond,
            double redisCpuShare,
            int revocations,
            int leadersAtEnd,
            long jitMillis,
            long gcMillis) {

        double cpuSharePerElection() {
            return cpuShare / run.elections();
        }

        double commandsPerElection() {
            return commandsPerSecond / run.elections();
        }

        double requestsPerElection() {
            return requestsPerSecond / run.elections();
        }
    }

    /**
     * The points.
     *
     * @param points one per election count, with the run's timings
     * @param withDefaultTimings the largest count again, with the library's default timings (the
     *     what-if, when the settings ask for it)
     */
    record Result(List<Point> points, Optional<Point> withDefaultTimings) {

        /** The largest count with the run's timings. */
        Point largest() {
            return points.get(points.size() - 1);
        }
    }

    Result run() {
        List<Point> points = new ArrayList<>();
        for (int elections : settings.electionCounts()) {
            points.add(measure(new Case(elections, settings.timings())));
        }
        Optional<Point> withDefaultTimings = Optional.empty();
        if (settings.scaleWhatIf()) {
            int largest =
                    settings.electionCounts().get(settings.electionCounts().size() - 1);
            withDefaultTimings = Optional.of(
                    measure(new Case(largest, ElectionTimings.builder().build())));
        }
        return new Result(points, withDefaultTimings);
    }

    private Point measure(Case run) {
        List<String> args = new ArrayList<>(List.of(
                Integer.toString(port),
                Integer.toString(run.elections()),
                Long.toString(settings.scaleWarmUp().toMillis()),
                Long.toString(settings.scaleWindow().toMillis())));
        args.addAll(BenchmarkSettings.timingArguments(run.timings()));
        String name = "scale-" + run.elections() + "-renew"
                + run.timings().renewInterval().toMillis();
        Process process = JavaProcess.start(name, ScaleApp.class, JVM_OPTIONS, args);
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            Point point = null;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith(ScaleApp.RESULT + " ")) {
                    point = parse(run, line);
                }
            }
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0 || point == null) {
                throw new IllegalStateException(
                        "ScaleApp failed: " + run + "; see target/benchmark-logs/" + name + ".log");
            }
            return point;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", ex);
        } finally {
            process.destroyForcibly();
        }
    }

    private static Point parse(Case run, String line) {
        String[] words = line.split(" ");
        return new Point(
                run,
                Double.parseDouble(words[2]),
                Double.parseDouble(words[3]),
                Double.parseDouble(words[4]),
                Double.parseDouble(words[5]),
                Double.parseDouble(words[6]),
                Integer.parseInt(words[7]),
                Integer.parseInt(words[8]),
                Long.parseLong(words[9]),
                Long.parseLong(words[10]));
    }
}
