package dev.leaderelection.benchmarks;

import dev.leaderelection.ElectionTimings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link ScaleApp} once per election count, each in a fresh JVM so that its process CPU time
 * holds nothing but the elections (and the JVM's own upkeep): first with the run's timings, then
 * with the library's default timings.
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
     * @param requestsPerSecond Redis requests per second (one per script call: one per batch of renewals)
     * @param redisCpuShare the Redis server's CPU time per second
     * @param revocations leaderships lost during the window (0 when the JVM keeps up)
     * @param leadersAtEnd elections this JVM still led at the end of the window
     * @param jitMillis time the JIT compilers spent during the window
     * @param gcMillis time the garbage collectors spent during the window
     * @param heapBytes heap in use after two full collections at the end of the window
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
            long gcMillis,
            long heapBytes) {

        double cpuSharePerElection() {
            return cpuShare / run.elections();
        }

        double commandsPerElection() {
            return commandsPerSecond / run.elections();
        }

        double requestsPerElection() {
            return requestsPerSecond / run.elections();
        }

        /** Renewals per second: every election renews once per renew interval. */
        double renewalsPerSecond() {
            return run.elections() * 1e9 / run.timings().renewInterval().toNanos();
        }
    }

    /**
     * The points.
     *
     * @param points one per election count, with the run's timings
     * @param withDefaultTimings one per count of {@link BenchmarkSettings#defaultTimingCounts()}, with
     *     the library's default timings
     */
    record Result(List<Point> points, List<Point> withDefaultTimings) {

        /**
         * Heap per election at {@code point}: its heap in use over that of the smallest count with the
         * run's timings, per election more ({@code NaN} for that smallest count itself).
         */
        double heapBytesPerElection(Point point) {
            Point smallest = points.get(0);
            int more = point.run().elections() - smallest.run().elections();
            return more <= 0 ? Double.NaN : (double) (point.heapBytes() - smallest.heapBytes()) / more;
        }

        /** The largest count with the run's timings. */
        Point largest() {
            return points.get(points.size() - 1);
        }

        /** Every point, those with the run's timings first. */
        List<Point> all() {
            List<Point> all = new ArrayList<>(points);
            all.addAll(withDefaultTimings);
            return all;
        }
    }

    Result run() {
        List<Point> points = new ArrayList<>();
        for (int elections : settings.electionCounts()) {
            points.add(measure(new Case(elections, settings.timings())));
        }
        List<Point> withDefaultTimings = new ArrayList<>();
        for (int elections : settings.defaultTimingCounts()) {
            withDefaultTimings.add(
                    measure(new Case(elections, ElectionTimings.builder().build())));
        }
        return new Result(List.copyOf(points), List.copyOf(withDefaultTimings));
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
                Long.parseLong(words[10]),
                Long.parseLong(words[11]));
    }
}
