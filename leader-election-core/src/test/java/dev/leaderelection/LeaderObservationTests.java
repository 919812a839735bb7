package dev.leaderelection;

import static dev.leaderelection.ScriptedLeaseStore.granted;
import static dev.leaderelection.ScriptedLeaseStore.held;
import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.store.Candidate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The leader an instance knows of, from its own terms, its campaign and the store's announcements. */
class LeaderObservationTests {

    private static final ElectionTimings TIMINGS = ElectionTimings.builder()
            .leaseDuration(Duration.ofSeconds(10))
            .renewInterval(Duration.ofSeconds(3))
            .operationTimeout(Duration.ofSeconds(1))
            .driftMargin(Duration.ofMillis(100))
            .yieldCooldown(Duration.ofSeconds(5))
            .build();

    private final ManualScheduler clock = new ManualScheduler();
    private final ScriptedLeaseStore store = new ScriptedLeaseStore();
    private final List<String> changes = new CopyOnWriteArrayList<>();
    private LeaseLeaderElector elector;

    @BeforeEach
    void startElector() {
        elector = new LeaseLeaderElector("orders", "node-a", store, TIMINGS, clock);
        elector.addListener(new LeadershipListener() {
            @Override
            public void leaderChanged(String leaderId, Long fencingToken) {
                changes.add(leaderId + " " + fencingToken);
            }
        });
        elector.start();
    }

    @Test
    void aFollowerLearnsTheHolderFromTheStoresAnswerOnce() {
        store.answerNext("acquire", held("node-b", Duration.ofSeconds(9)));
        clock.advance(Duration.ofSeconds(10));
        store.answerNext("acquire", held("node-b", Duration.ofSeconds(9)));

        assertThat(elector.leaderId()).isEqualTo("node-b");
        assertThat(changes).containsExactly("node-b null");
    }

    @Test
    void aFollowerLearnsOfAHandOffFromTheAnnouncementsBeforeItsNextPoll() {
        store.answerNext("acquire", held("node-b", Duration.ofSeconds(9)));

        store.signalRelease();
        store.announceGrant("node-c", 42);

        assertThat(elector.leaderId()).isEqualTo("node-c");
        assertThat(elector.status().leaderId()).isEqualTo("node-c");
        assertThat(changes).containsExactly("node-b null", "null null", "node-c 42");
        // the campaign the release woke up learns the same leader: no further change
        store.answerNext("acquire", held("node-c", Duration.ofSeconds(10)));
        assertThat(changes).hasSize(3);
    }

    @Test
    void aLateOrRepeatedAnnouncementChangesNothing() {
        store.answerNext("acquire", held("node-b", Duration.ofSeconds(9)));
        store.announceGrant("node-c", 42);
        store.announceGrant("node-c", 42);
        store.announceGrant("node-b", 41);

        assertThat(elector.leaderId()).isEqualTo("node-c");
        assertThat(changes).containsExactly("node-b null", "node-c 42");
    }

    @Test
    void theLeaderHearsItsOwnGrantAndRevocation() {
        store.answerNext("acquire", granted(7));
        store.announceGrant("node-a", 7); // its own announcement, echoed back

        elector.yieldLeadership();

        assertThat(changes).containsExactly("node-a 7", "null null");
    }

    @Test
    void candidatesAreAskedOfTheStoreAndBoundedByTheOperationTimeout() {
        store.answerNext("acquire", held("node-b", Duration.ofSeconds(9)));
        CompletableFuture<List<Candidate>> listed = elector.candidates().toCompletableFuture();
        List<Candidate> candidates =
                List.of(new Candidate("node-a", Instant.EPOCH), new Candidate("node-b", Instant.EPOCH));
        store.answerNext("candidates", candidates);
        assertThat(listed).isCompletedWithValue(candidates);

        CompletableFuture<List<Candidate>> unanswered = elector.candidates().toCompletableFuture();
        clock.advance(Duration.ofSeconds(1));
        assertThat(unanswered).isCompletedExceptionally();
    }
}
