package dev.leaderelection;

import static dev.leaderelection.ScriptedLeaseStore.granted;
import static dev.leaderelection.ScriptedLeaseStore.held;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A leader gives up its term on a schedule, on virtual time. */
class RelinquishTests {

    private static final ElectionTimings.Builder TIMINGS = ElectionTimings.builder()
            .leaseDuration(Duration.ofSeconds(10))
            .renewInterval(Duration.ofSeconds(3))
            .operationTimeout(Duration.ofSeconds(1))
            .driftMargin(Duration.ofMillis(100))
            .yieldCooldown(Duration.ofSeconds(5));

    /** On the next whole minute of the wall clock: the shape of a cron schedule, without Spring. */
    private static final RelinquishSchedule ON_THE_MINUTE = grantedAt -> Optional.of(Duration.between(
            grantedAt, grantedAt.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES)));

    private final ManualScheduler clock = new ManualScheduler();
    private final ScriptedLeaseStore store = new ScriptedLeaseStore();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @Test
    void relinquishAfterTheIntervalDrainReleaseAndSitOutTheCooldown() {
        LeaseLeaderElector elector = start(RelinquishSchedule.every(Duration.ofSeconds(9)));
        store.answerNext("acquire", granted(1));
        renewTwice();
        assertThat(elector.tryEnterGuarded()).isTrue();

        clock.advance(Duration.ofMillis(2_999));
        assertThat(elector.isLeader()).isTrue();
        clock.advance(Duration.ofMillis(1)); // 9 s after the grant
        assertThat(elector.isLeader()).isFalse();
        assertThat(events).containsExactly("granted 1", "revoked 1 RELINQUISHED");
        assertThat(store.hasPending())
                .as("no release while a guarded call is in flight")
                .isFalse();

        elector.exitGuarded();
        assertThat(events).last().asString().startsWith("drained 1");
        store.answerNext("release", true);
        assertThat(elector.state()).isEqualTo(ElectionState.FOLLOWER);
        store.signalRelease();
        clock.advance(Duration.ofMillis(4_999));
        assertThat(store.hasPending()).as("no campaign during the cooldown").isFalse();
    }

    @Test
    void theOnlyCandidateTakesLeadershipBackAfterTheCooldown() {
        LeaseLeaderElector elector = start(RelinquishSchedule.every(Duration.ofSeconds(9)));
        store.answerNext("acquire", granted(1));
        renewTwice();
        clock.advance(Duration.ofSeconds(3));
        store.answerNext("release", true);

        clock.advance(Duration.ofSeconds(5));
        store.answerNext("acquire", granted(2));

        assertThat(elector.isLeader()).isTrue();
        assertThat(events).containsExactly("granted 1", "revoked 1 RELINQUISHED", "drained 1 after 0ms", "granted 2");
    }

    @Test
    void anotherCandidateTakesOverWhileTheRelinquisherCoolsDown() {
        LeaseLeaderElector elector = start(RelinquishSchedule.every(Duration.ofSeconds(9)));
        store.answerNext("acquire", granted(1));
        renewTwice();
        clock.advance(Duration.ofSeconds(3));
        store.answerNext("release", true);
        store.announceGrant("node-b", 2);

        clock.advance(Duration.ofSeconds(5));
        store.answerNext("acquire", held("node-b", Duration.ofSeconds(9)));

        assertThat(elector.state()).isEqualTo(ElectionState.FOLLOWER);
        assertThat(elector.leaderId()).isEqualTo("node-b");
    }

    @Test
    void aNewTermCountsItsIntervalFromItsOwnGrant() {
        start(RelinquishSchedule.every(Duration.ofSeconds(9)));
        store.answerNext("acquire", granted(1));
        renewTwice();
        clock.advance(Duration.ofSeconds(3));
        store.answerNext("release", true);
        clock.advance(Duration.ofSeconds(5));
        store.answerNext("acquire", granted(2));

        renewTwice();
        clock.advance(Duration.ofMillis(2_999));
        assertThat(events).doesNotContain("revoked 2 RELINQUISHED");
        clock.advance(Duration.ofMillis(1));
        assertThat(events).contains("revoked 2 RELINQUISHED");
    }

    @Test
    void aCalendarScheduleFiresAtItsWallClockTimes() {
        clock.setWallClock(Instant.parse("2026-11-30T10:00:40Z"));
        start(ON_THE_MINUTE);
        store.answerNext("acquire", granted(1));
        for (int renewal = 0; renewal < 6; renewal++) {
            clock.advance(Duration.ofSeconds(3));
            store.answerNext("renew", true);
        }
        assertThat(clock.wallClock()).isEqualTo(Instant.parse("2026-11-30T10:00:58Z"));

        clock.advance(Duration.ofMillis(1_999));
        assertThat(events).containsExactly("granted 1");
        clock.advance(Duration.ofMillis(1));
        assertThat(events).containsExactly("granted 1", "revoked 1 RELINQUISHED", "drained 1 after 0ms");
    }

    @Test
    void neverRelinquishesByDefault() {
        LeaseLeaderElector elector = start(RelinquishSchedule.NEVER);
        store.answerNext("acquire", granted(1));
        for (int renewal = 0; renewal < 100; renewal++) {
            clock.advance(Duration.ofSeconds(3));
            store.answerNext("renew", true);
        }
        assertThat(elector.isLeader()).isTrue();
    }

    @Test
    void anIntervalShorterThanThreeRenewIntervalsIsRejected() {
        assertThatExceptionOfType(InvalidTimingsException.class)
                .isThrownBy(() -> TIMINGS.relinquish(RelinquishSchedule.every(Duration.ofMillis(8_999)))
                        .build())
                .withMessage(
                        "relinquish.interval (8999ms) must be at least 3 x renewInterval (3s) = 9s, so that a term renews a few times before it is given up")
                .satisfies(ex -> assertThat(ex.settings()).containsExactly("relinquish.interval", "renewInterval"));
    }

    private void renewTwice() {
        for (int renewal = 0; renewal < 2; renewal++) {
            clock.advance(Duration.ofSeconds(3));
            store.answerNext("renew", true);
        }
    }

    private LeaseLeaderElector start(RelinquishSchedule schedule) {
        LeaseLeaderElector elector = new LeaseLeaderElector(
                "orders", "node-a", store, TIMINGS.relinquish(schedule).build(), clock);
        elector.addListener(new LeadershipListener() {
            @Override
            public void granted(Leadership leadership) {
                events.add("granted " + leadership.fencingToken());
            }

            @Override
            public void revoked(Leadership leadership, RevocationReason reason) {
                events.add("revoked " + leadership.fencingToken() + " " + reason);
            }

            @Override
            public void drained(Leadership leadership, Duration waited) {
                events.add("drained " + leadership.fencingToken() + " after " + waited.toMillis() + "ms");
            }
        });
        elector.start();
        return elector;
    }
}
