package dev.leaderelection.benchmarks.jmh;

import dev.leaderelection.benchmarks.BenchmarkSettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link LeaderOnlyBenchmark} through the JMH API with the iterations of the settings. */
public final class LeaderOnlyBenchmarkRun {

    private LeaderOnlyBenchmarkRun() {}

    /**
     * The average time of one call of a benchmark method.
     *
     * @param benchmark the method's name, such as {@code leaderOnlyOnLeader}
     * @param nanos the median of the measurement iterations, steadier than the mean on a shared machine
     * @param mean the mean of the measurement iterations, as JMH reports it
     * @param error the half-width of JMH's 99.9% confidence interval of the mean ({@code NaN} with
     *     one iteration)
     */
    public record Score(String benchmark, double nanos, double mean, double error) {}

    /** The scores of every benchmark method, as JMH reports them. */
    public record Result(List<Score> scores) {

        /** The score of {@code benchmark}. */
        public Score score(String benchmark) {
            return scores.stream()
                    .filter(score -> score.benchmark().equals(benchmark))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("No score for " + benchmark));
        }

        /**
         * What the guard adds above the floor on the leader: the guarded call minus the same proxy
         * whose advice only reads the clock (medians).
         */
        public double aboveFloorNanos() {
            return score("leaderOnlyOnLeader").nanos()
                    - score("proxyAndClockRead").nanos();
        }

        /** What the guard adds to a call on the leader: the guarded call minus the plain one (medians). */
        public double leaderOverheadNanos() {
            return score("leaderOnlyOnLeader").nanos() - score("plainCall").nanos();
        }
    }

    /** Runs every benchmark method; JMH prints its progress to standard output. */
    public static Result run(BenchmarkSettings settings) {
        Options options = new OptionsBuilder()
                .include(LeaderOnlyBenchmark.class.getName() + "\\.")
                .forks(settings.jmhForks())
                .warmupIterations(settings.jmhWarmUpIterations())
                .warmupTime(time(settings))
                .measurementIterations(settings.jmhIterations())
                .measurementTime(time(settings))
                .shouldFailOnError(true)
                .build();
        try {
            Collection<RunResult> results = new Runner(options).run();
            List<Score> scores = new ArrayList<>();
            for (RunResult result : results) {
                String label = result.getParams().getBenchmark();
                scores.add(new Score(
                        label.substring(label.lastIndexOf('.') + 1),
                        result.getPrimaryResult().getStatistics().getPercentile(50),
                        result.getPrimaryResult().getScore(),
                        result.getPrimaryResult().getScoreError()));
            }
            return new Result(List.copyOf(scores));
        } catch (RunnerException ex) {
            throw new IllegalStateException("JMH failed", ex);
        }
    }

    private static TimeValue time(BenchmarkSettings settings) {
        return new TimeValue(settings.jmhIterationTime().toMillis(), TimeUnit.MILLISECONDS);
    }
}
