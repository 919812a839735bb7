package dev.leaderelection;

import static dev.leaderelection.ScriptedLeaseStore.granted;
import static dev.leaderelection.ScriptedLeaseStore.held;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LeaseLeaderElectorTest {

    private static final ElectionTimings TIMINGS = ElectionTimings.builder()
            .leaseDuration(Duration.ofSeconds(10))
            .renewInterval(Duration.ofSeconds(3))
            .operationTimeout(Duration.ofSeconds(1))
            .driftMargin(Duration.ofMillis(100))
            .retryInterval(Duration.ofSeconds(1))
            .yieldCooldown(Duration.ofSeconds(5))
            .backoff(new BackoffPolicy(Duration.ofMillis(100), Duration.ofMillis(400), 2.0, 0.0))
            .build();

    private final ManualScheduler clock = new ManualScheduler();
    private final ScriptedLeaseStore store = new ScriptedLeaseStore();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private LeaseLeaderElector elector;

    @BeforeEach
    void startElector() {
        elector = new LeaseLeaderElector("orders", "node-a", store, TIMINGS, clock);
        elector.addListener(new LeadershipListener() {
            @Override
            public void granted(Leadership leadership) {
                events.add("granted " + leadership.fencingToken());
            }

            @Override
            public void revoked(Leadership leadership, RevocationReason reason) {
                events.add("revoked " + leadership.fencingToken() + " " + reason);
            }
        });
        elector.start();
    }

    @Test
    void grantLeadershipWhenAcquireSucceeds() {
        store.answerNext("acquire", granted(7));

        assertThat(elector.isLeader()).isTrue();
        assertThat(elector.state()).isEqualTo(ElectionState.LEADER);
        assertThat(elector.currentLeadership()).hasValueSatisfying(leadership -> {
            assertThat(leadership.fencingToken()).isEqualTo(7);
            assertThat(leadership.election()).isEqualTo("orders");
            assertThat(leadership.instanceId()).isEqualTo("node-a");
        });
        assertThat(elector.leaderId()).isEqualTo("node-a");
        assertThat(events).containsExactly("granted 7");
    }

    @Test
    void renewOnTheBeatAndMoveTheDeadlineFromTheSendTime() {
        store.answerNext("acquire", granted(1));
        clock.advance(Duration.ofSeconds(3));
        ScriptedLeaseStore.Call renew = store.next("renew");
        long renewSentAt = clock.nanoTime();
        clock.advance(Duration.ofMillis(500));
        renew.answer().complete(true);

        assertThat(elector.currentLeadership())
                .hasValueSatisfying(leadership -> assertThat(leadership.deadlineNanos())
                        .isEqualTo(renewSentAt + Duration.ofMillis(9_900).toNanos()));
        clock.advance(Duration.ofMillis(2_499));
        assertThat(store.hasPending()).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(store.next("renew")).isNotNull();
    }

    @Test
    void guardFailsClosedAtTheDeadlineEvenWhenNoTaskRuns() {
        store.answerNext("acquire", granted(1));
        clock.stall(Duration.ofMillis(9_899));
        assertThat(elector.isLeader()).isTrue();

        clock.stall(Duration.ofMillis(1));

        assertThat(elector.isLeader()).isFalse();
        assertThat(elector.currentLeadership()).isEmpty();
    }

    @Test
    void revokeWithDeadlinePassedWhenTheElectionThreadWasStalled() {
        store.answerNext("acquire", granted(1));
        clock.stall(Duration.ofSeconds(11));

        clock.advance(Duration.ZERO);

        assertThat(events).containsExactly("granted 1", "revoked 1 DEADLINE_PASSED");
        assertThat(elector.state()).isEqualTo(ElectionState.CANDIDATE);
    }

    @Test
    void stepDownIntoStandbyWhenRenewalTimesOut() {
        store.answerNext("acquire", granted(1));
        clock.advance(Duration.ofSeconds(3));
        ScriptedLeaseStore.Call renew = store.next("renew");

        clock.advance(Duration.ofSeconds(1));

        assertThat(elector.isLeader()).isFalse();
        assertThat(elector.state()).isEqualTo(ElectionState.STANDBY);
        assertThat(events).containsExactly("granted 1", "revoked 1 STORE_UNREACHABLE");
        assertThat(store.next("release").token()).isEqualTo(renew.token());

        renew.answer().complete(true);
        assertThat(elector.isLeader())
                .as("a late renewal reply never restores leadership")
                .isFalse();
    }

    @Test
    void stepDownWhenRenewalFailsAndCampaignAgainAfterBackoff() {
        store.answerNext("acquire", granted(1));
        clock.advance(Duration.ofSeconds(3));
        store.failNext("renew");

        assertThat(elector.state()).isEqualTo(ElectionState.STANDBY);
        assertThat(events).containsExactly("granted 1", "revoked 1 STORE_UNREACHABLE");
        store.next("release");
        clock.advance(Duration.ofMillis(99));
        assertThat(store.hasPending()).isFalse();
        clock.advance(Duration.ofMillis(1));
        store.answerNext("acquire", granted(2));
        assertThat(events).containsExactly("granted 1", "revoked 1 STORE_UNREACHABLE", "granted 2");
    }

    @Test
    void backOffExponentiallyWhileTheStoreFailsAndRecoverWhenItAnswers() {
        store.failNext("acquire");
        assertThat(elector.state()).isEqualTo(ElectionState.STANDBY);

        clock.advance(Duration.ofMillis(100));
        store.failNext("acquire");
        clock.advance(Duration.ofMillis(199));
        assertThat(store.hasPending()).isFalse();
        clock.advance(Duration.ofMillis(1));
        store.failNext("acquire");
        clock.advance(Duration.ofMillis(400));
        store.failNext("acquire");
        clock.advance(Duration.ofMillis(400)); // capped at backoff.max
        store.answerNext("acquire", held("node-b", Duration.ofSeconds(8)));

        assertThat(elector.state()).isEqualTo(ElectionState.FOLLOWER);
        assertThat(elector.leaderId()).isEqualTo("node-b");
    }

    @Test
    void stepDownAtOnceWhenTheLeaseIsLostAndCampaignAgain() {
        store.answerNext("acquire", granted(1));
        clock.advance(Duration.ofSeconds(3));

        store.answerNext("renew", false);

        assertThat(elector.isLeader()).isFalse();
        assertThat(events).containsExactly("granted 1", "revoked 1 LEASE_LOST");
        assertThat(elector.leaderId()).as("not known until the store answers").isNull();
        store.answerNext("acquire", held("node-b", Duration.ofSeconds(10)));
        assertThat(elector.state()).isEqualTo(ElectionState.FOLLOWER);
        assertThat(elector.leaderId()).isEqualTo("node-b");
    }

    @Test
    void aReleaseWhileTheFollowersOwnAcquireIsUnderwayIsNotLost() {
        store.signalRelease(); // the first acquire has not been answered yet
        store.answerNext("acquire", held("node-b", Duration.ofSeconds(8)));

        assertThat(elector.state()).isEqualTo(ElectionState.FOLLOWER);
        assertThat(store.hasPending()).as("campaigns again at once").isTrue();
        store.answerNext("acquire", granted(2));
        assertThat(elector.isLeader()).isTrue();
    }

    @Test
    void followerSleepsUntilTheLeaseExpiresUnlessWokenByARelease() {
        store.answerNext("acquire", held("node-b", Duration.ofSeconds(4)));
        assertThat(elector.state()).isEqualTo(ElectionState.FOLLOWER);

        clock.advance(Duration.ofMillis(4_000));
        assertThat(store.hasPending()).isFalse();
        clock.advance(Duration.ofMillis(1));
        store.answerNext("acquire", held("node-b", Duration.ofSeconds(9)));

        store.signalRelease();
        store.answerNext("acquire", granted(5));
        assertThat(elector.isLeader()).isTrue();
    }

    @Test
    void followerWaitsAtMostOneLeaseAndTheRetryIntervalWithoutATtl() {
        store.answerNext("acquire", held("node-b", Duration.ofHours(1)));
        clock.advance(Duration.ofSeconds(10));
        store.answerNext("acquire", held("node-b", null));
        clock.advance(Duration.ofSeconds(1));
        assertThat(store.next("acquire")).isNotNull();
    }

    @Test
    void exactlyOneRevocationPerGrantAndAlwaysBeforeTheNextGrant() {
        for (int term = 1; term <= 5; term++) {
            store.answerNext("acquire", granted(term));
            clock.advance(Duration.ofSeconds(3));
            if (term % 2 == 0) {
                store.answerNext("renew", false);
            } else {
                store.failNext("renew");
                store.answerNext("release", true);
                clock.advance(Duration.ofMillis(100));
            }
        }
        assertThat(events)
                .containsExactly(
                        "granted 1", "revoked 1 STORE_UNREACHABLE",
                        "granted 2", "revoked 2 LEASE_LOST",
                        "granted 3", "revoked 3 STORE_UNREACHABLE",
                        "granted 4", "revoked 4 LEASE_LOST",
                        "granted 5", "revoked 5 STORE_UNREACHABLE");
    }

    @Test
    void yieldReleasesAndSitsOutTheCooldown() {
        store.answerNext("acquire", granted(3));

        elector.yieldLeadership();

        assertThat(elector.isLeader()).isFalse();
        assertThat(events).containsExactly("granted 3", "revoked 3 YIELDED");
        store.answerNext("release", true);
        store.signalRelease();
        clock.advance(Duration.ofMillis(4_999));
        assertThat(store.hasPending()).as("no campaign during the cooldown").isFalse();
        clock.advance(Duration.ofMillis(1));
        store.answerNext("acquire", held("node-b", Duration.ofSeconds(10)));
        assertThat(elector.state()).isEqualTo(ElectionState.FOLLOWER);
    }

    @Test
    void yieldOnAFollowerDoesNothing() {
        store.answerNext("acquire", held("node-b", Duration.ofSeconds(10)));

        elector.yieldLeadership();

        assertThat(events).isEmpty();
        assertThat(store.hasPending()).isFalse();
    }

    @Test
    void aThrowingListenerDoesNotStopTheLoop() {
        elector.addListener(new LeadershipListener() {
            @Override
            public void granted(Leadership leadership) {
                throw new IllegalStateException("listener bug");
            }
        });
        store.answerNext("acquire", granted(1));
        clock.advance(Duration.ofSeconds(3));
        store.answerNext("renew", true);

        assertThat(elector.isLeader()).isTrue();
        assertThat(events).containsExactly("granted 1");
    }

    @Test
    void stopRevokesReleasesAndUnsubscribes() {
        store.answerNext("acquire", granted(9));
        assertThat(store.subscribed()).isTrue();

        elector.stop(); // the release stays unanswered: stop gives up after the operation timeout

        assertThat(elector.isLeader()).isFalse();
        assertThat(elector.state()).isEqualTo(ElectionState.STOPPED);
        assertThat(events).containsExactly("granted 9", "revoked 9 SHUTDOWN");
        assertThat(store.next("release")).isNotNull();
        assertThat(store.subscribed()).isFalse();
        clock.advance(Duration.ofSeconds(30));
        assertThat(store.hasPending()).as("a stopped elector stays quiet").isFalse();
    }
}
