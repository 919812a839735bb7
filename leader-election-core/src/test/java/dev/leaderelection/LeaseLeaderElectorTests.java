package dev.leaderelection;

import static dev.leaderelection.ScriptedLeaseStore.granted;
import static dev.leaderelection.ScriptedLeaseStore.held;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.leaderelection.store.LeaseStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LeaseLeaderElectorTests {

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

            @Override
            public void drained(Leadership leadership, Duration waited) {
                events.add("drained " + leadership.fencingToken() + " after " + waited.toMillis() + "ms");
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
    void aRenewalFallsDueOnTheSharedTickAtMostOneTickEarly() {
        // The clock starts on the 25 ms tick; the second acquire goes out 11 ms after it.
        store.answerNext("acquire", held("node-b", Duration.ofMillis(10)));
        clock.advance(Duration.ofMillis(11));
        store.answerNext("acquire", granted(1));

        clock.advance(Duration.ofMillis(2_988)); // 3 s after the send is 3,011 ms: its tick is 3,000 ms
        assertThat(store.hasPending()).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(store.next("renew")).isNotNull();
    }

    @Test
    void aFollowerSleepsUntilTheLeaseItSawEndsCountedFromItsSendNotFromTheAnswer() {
        ScriptedLeaseStore.Call acquire = store.next("acquire");
        clock.advance(Duration.ofMillis(200)); // a slow answer: the store read the lease after the send
        acquire.answer().complete(held("node-b", Duration.ofMillis(4_000)));

        // The lease ends no earlier than 4 s after the send; 1 ms more covers a remaining time
        // rounded down to the millisecond.
        clock.advance(Duration.ofMillis(3_800));
        assertThat(store.hasPending()).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(store.next("acquire")).isNotNull();
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
    void followerWaitsAtMostOneLeaseAndTheStoresMarginAndTheRetryIntervalWithoutATtl() {
        store.answerNext("acquire", held("node-b", Duration.ofHours(1)));
        clock.advance(Duration.ofSeconds(10));
        assertThat(store.hasPending()).isFalse();
        clock.advance(LeaseStore.MAX_LEASE_MARGIN);
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
        assertThat(events).containsExactly("granted 3", "revoked 3 YIELDED", "drained 3 after 0ms");
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
    void constructionFailsOnANameTheStoreRejects() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new LeaseLeaderElector("order queue", "node-a", store, TIMINGS, clock))
                .withMessage("election name 'order queue' must not contain spaces");
    }

    @Test
    void stopWithoutReleaseThroughTheInterfaceLeavesTheLeaseToExpire() {
        store.answerNext("acquire", granted(3));
        LeaderElector asInterface = elector;

        asInterface.stop(false);

        assertThat(elector.state()).isEqualTo(ElectionState.STOPPED);
        assertThat(events).containsExactly("granted 3", "revoked 3 SHUTDOWN", "drained 3 after 0ms");
        assertThat(store.hasPending()).as("no release sent").isFalse();
    }

    @Test
    void stopRevokesReleasesAndUnsubscribes() {
        store.answerNext("acquire", granted(9));
        assertThat(store.subscribed()).isTrue();

        elector.stop(); // the release stays unanswered: stop gives up after the operation timeout

        assertThat(elector.isLeader()).isFalse();
        assertThat(elector.state()).isEqualTo(ElectionState.STOPPED);
        assertThat(events).containsExactly("granted 9", "revoked 9 SHUTDOWN", "drained 9 after 0ms");
        assertThat(store.next("release")).isNotNull();
        assertThat(store.subscribed()).isFalse();
        clock.advance(Duration.ofSeconds(30));
        assertThat(store.hasPending()).as("a stopped elector stays quiet").isFalse();
    }

    @Test
    void yieldRefusesNewGuardedCallsAtOnceAndReleasesWhenTheCallsInFlightReturn() {
        store.answerNext("acquire", granted(3));
        assertThat(elector.tryEnterGuarded()).isTrue();
        assertThat(elector.tryEnterGuarded()).isTrue();

        elector.yieldLeadership();

        assertThat(elector.tryEnterGuarded())
                .as("new guarded calls are refused at once")
                .isFalse();
        assertThat(events).containsExactly("granted 3", "revoked 3 YIELDED");
        clock.advance(Duration.ofMillis(700));
        elector.exitGuarded();
        assertThat(store.hasPending()).as("one call is still in flight").isFalse();
        clock.advance(Duration.ofMillis(300));
        elector.exitGuarded();

        assertThat(events).containsExactly("granted 3", "revoked 3 YIELDED", "drained 3 after 1000ms");
        assertThat(store.next("release")).isNotNull();
    }

    @Test
    void theDrainEndsAtTheDeadlineWhenAGuardedCallRunsPastIt() {
        store.answerNext("acquire", granted(3)); // deadline: lease 10 s - drift 100 ms from the send
        assertThat(elector.tryEnterGuarded()).isTrue();
        clock.advance(Duration.ofSeconds(1));

        elector.yieldLeadership();
        clock.advance(Duration.ofSeconds(5)); // the cooldown ends: our own unreleased term holds the lease
        store.answerNext("acquire", held("node-a", Duration.ofMillis(4_000)));
        assertThat(elector.leaderId()).isNull();
        clock.advance(Duration.ofMillis(3_899));
        assertThat(store.hasPending()).as("no release before the deadline").isFalse();
        clock.advance(Duration.ofMillis(1));

        assertThat(events).containsExactly("granted 3", "revoked 3 YIELDED", "drained 3 after 8900ms");
        assertThat(store.next("release")).isNotNull();
        elector.exitGuarded(); // returns after the release: nothing more happens
        assertThat(store.hasPending()).isFalse();
    }

    @Test
    void anInvoluntaryLossReleasesOnlyWhenTheGuardedCallsInFlightReturn() {
        store.answerNext("acquire", granted(1));
        assertThat(elector.tryEnterGuarded()).isTrue();
        clock.advance(Duration.ofSeconds(3));

        store.failNext("renew");

        assertThat(events).containsExactly("granted 1", "revoked 1 STORE_UNREACHABLE");
        assertThat(elector.tryEnterGuarded())
                .as("new guarded calls are refused")
                .isFalse();
        clock.advance(Duration.ofMillis(500));
        assertThat(releasesSent())
                .as("no successor may start while the call still runs")
                .isZero();
        elector.exitGuarded();

        assertThat(releasesSent()).isOne();
        assertThat(events).as("only a voluntary step-down reports its drain").hasSize(2);
    }

    @Test
    void anInvoluntaryLossReleasesAtTheDeadlineWhenAGuardedCallRunsPastIt() {
        store.answerNext("acquire", granted(1)); // deadline: lease 10 s - drift 100 ms from the send
        assertThat(elector.tryEnterGuarded()).isTrue();
        clock.advance(Duration.ofSeconds(3));
        store.failNext("renew");

        clock.advance(Duration.ofMillis(6_899));
        assertThat(releasesSent()).isZero();
        clock.advance(Duration.ofMillis(1));

        assertThat(releasesSent()).isOne();
        elector.exitGuarded();
    }

    private long releasesSent() {
        return store.pending().stream()
                .filter(call -> call.operation().equals("release"))
                .count();
    }

    @Test
    void aLeaderStepsDownAtOnceWhenTheStoreLosesItsLinkAndAFollowerCarriesOn() {
        store.answerNext("acquire", granted(1));
        assertThat(elector.isLeader()).isTrue();

        store.loseLink(); // no renewal due yet

        assertThat(elector.isLeader()).isFalse();
        assertThat(elector.state()).isEqualTo(ElectionState.STANDBY);
        assertThat(events).containsExactly("granted 1", "revoked 1 STORE_UNREACHABLE");
        store.loseLink(); // nothing more to end
        assertThat(events).hasSize(2);
    }

    @Test
    void aFollowerNeverEntersAGuardedCall() {
        store.answerNext("acquire", held("node-b", Duration.ofSeconds(10)));

        assertThat(elector.tryEnterGuarded()).isFalse();

        store.signalRelease();
        store.answerNext("acquire", granted(2));
        elector.yieldLeadership();
        assertThat(events).as("nothing left counted in flight").contains("drained 2 after 0ms");
    }

    @Test
    void stopDuringAnAcquireNeverCampaignsAgainWithTheReleasedToken() {
        ScriptedLeaseStore.Call acquire = store.next("acquire");

        elector.stop(); // sends a release with the acquire's token; unanswered, stop gives up after 1 s
        ScriptedLeaseStore.Call release = store.next("release");
        elector.start();

        assertThat(release.token()).isEqualTo(acquire.token());
        assertThat(store.next("acquire").token())
                .as("a late release must never free the next term")
                .isNotEqualTo(release.token());
    }

    @Test
    void aFollowerThatLostItsOwnLeaseDoesNotNameItselfLeader() {
        store.answerNext("acquire", granted(1));
        clock.advance(Duration.ofSeconds(3));
        store.answerNext("renew", false);

        // the store still holds our ended term (e.g. its term key outlived a deleted lease key)
        store.answerNext("acquire", held("node-a", Duration.ofSeconds(7)));

        assertThat(elector.state()).isEqualTo(ElectionState.FOLLOWER);
        assertThat(elector.leaderId()).isNull();
        assertThat(elector.status().leaderId()).isNull();
    }

    @Test
    void aListenerThatThrowsAnErrorDoesNotKeepTheOthersFromHearing() {
        List<String> heardAfter = new CopyOnWriteArrayList<>();
        LeaseLeaderElector other = new LeaseLeaderElector("orders", "node-a", store, TIMINGS, clock);
        other.addListener(new LeadershipListener() {
            @Override
            public void granted(Leadership leadership) {
                throw new StackOverflowError("listener bug");
            }

            @Override
            public void revoked(Leadership leadership, RevocationReason reason) {
                throw new Error("listener bug");
            }
        });
        other.addListener(new LeadershipListener() {
            @Override
            public void granted(Leadership leadership) {
                heardAfter.add("granted " + leadership.fencingToken());
            }

            @Override
            public void revoked(Leadership leadership, RevocationReason reason) {
                heardAfter.add("revoked " + leadership.fencingToken() + " " + reason);
            }
        });
        elector.stop(false);
        store.pending().clear();
        other.start();

        store.answerNext("acquire", granted(4));
        assertThat(other.isLeader()).isTrue();
        clock.advance(Duration.ofSeconds(3));
        store.answerNext("renew", false);

        assertThat(heardAfter).containsExactly("granted 4", "revoked 4 LEASE_LOST");
        assertThat(other.state()).as("the loop went on").isEqualTo(ElectionState.CANDIDATE);
        assertThat(store.next("acquire")).isNotNull();
    }
}
