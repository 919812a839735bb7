package dev.leaderelection.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.leaderelection.NotLeaderException;
import dev.leaderelection.aop.LeaderOnlyInterceptor;
import dev.leaderelection.benchmarks.jmh.GuardFixture;
import dev.leaderelection.benchmarks.jmh.GuardedWork;
import dev.leaderelection.benchmarks.jmh.LeaderOnlyBenchmarkRun;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.Advised;

/**
 * Runs every benchmark once, as briefly as it can, to prove that each measurement happens and
 * lands in the report. The figures of so short a run mean nothing and are not asserted.
 */
class BenchmarksSmokeTest {

    @Test
    void everyBenchmarkMeasuresSomethingAndTheReportShowsIt() {
        BenchmarkSettings settings = BenchmarkSettings.smoke();

        BenchmarkResults results = Benchmarks.run(settings, SideBySideBenchmark.Settings.smoke());

        FailoverBenchmark.Result failover = results.failover();
        assertThat(failover.crashTakeover().values())
                .hasSize(settings.crashRounds())
                .allSatisfy(millis -> assertThat(millis)
                        .as("a successor took over after the SIGKILL, no sooner than the kill")
                        .isPositive());
        assertThat(failover.stopHandOff().values())
                .hasSize(settings.handOffRounds())
                .allMatch(millis -> millis > 0);
        assertThat(failover.yieldHandOff().values())
                .hasSize(settings.handOffRounds())
                .allMatch(millis -> millis > 0);

        StoreLoadBenchmark.Result load = results.load();
        assertThat(load.points())
                .extracting(StoreLoadBenchmark.Point::followers)
                .isEqualTo(settings.followerCounts());
        assertThat(load.leaderAlone().rates().requestsPerSecond())
                .as("the leader renews")
                .isPositive();
        assertThat(load.leaderAlone().rates().commandsPerSecond())
                .as("the commands inside the scripts count too")
                .isGreaterThan(load.leaderAlone().rates().requestsPerSecond());

        assertThat(results.scale().points()).singleElement().satisfies(point -> {
            assertThat(point.run().elections())
                    .isEqualTo(settings.electionCounts().get(0));
            assertThat(point.leadersAtEnd()).isEqualTo(point.run().elections());
            assertThat(point.cpuShare()).isPositive();
            assertThat(point.requestsPerElection()).isPositive();
            assertThat(point.heapBytes()).isPositive();
        });

        assertThat(results.sideBySide().rows()).singleElement().satisfies(row -> {
            assertThat(row.handOff().values())
                    .as("a Spring Boot application's successor took over after the SIGTERM")
                    .singleElement()
                    .satisfies(millis -> assertThat(millis).isPositive());
            assertThat(row.crashTakeover().values())
                    .singleElement()
                    .satisfies(millis -> assertThat(millis).isPositive());
            assertThat(row.leaderAlone().requestsPerSecond())
                    .as("the leader renews")
                    .isPositive();
        });

        assertThat(results.guard().scores())
                .extracting(LeaderOnlyBenchmarkRun.Score::benchmark)
                .contains("plainCall", "proxyAndClockRead", "leaderOnlyOnLeader", "leaderOnlyOnFollowerSkipsVoid");
        assertThat(results.guard().scores()).allMatch(score -> score.nanos() > 0);

        String report = BenchmarkReport.markdown(results, Benchmarks.COMMAND);
        assertThat(report)
                .contains("## Targets", Benchmarks.COMMAND, results.machine().redis(), "## Side by side")
                .contains(BenchmarkReport.number(failover.crashTakeover().median(), 1))
                .doesNotContain("NaN");
    }

    /** The micro-benchmark measures the shipped guard, and it guards: its figures are not those of a bare call. */
    @Test
    void theGuardBenchmarkRunsTheShippedInterceptorWhichGuards() {
        try (GuardFixture leader = GuardFixture.onLeader();
                GuardFixture follower = GuardFixture.onFollower()) {
            assertThat(((Advised) leader.proxy()).getAdvisors())
                    .singleElement()
                    .satisfies(advisor -> assertThat(advisor.getAdvice()).isInstanceOf(LeaderOnlyInterceptor.class));
            assertThat(leader.proxy().guarded(2)).isEqualTo(79);

            GuardedWork onFollower = follower.proxy();
            onFollower.guardedVoid(2);
            assertThat(onFollower.last()).as("the void method was skipped").isZero();
            assertThat(onFollower.guardedOrNull(2)).isNull();
            assertThatExceptionOfType(NotLeaderException.class).isThrownBy(() -> onFollower.guarded(2));
        }
    }
}
