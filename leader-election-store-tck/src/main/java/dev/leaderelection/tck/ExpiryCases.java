package dev.leaderelection.tck;

import static dev.leaderelection.tck.StoreCalls.answer;
import static dev.leaderelection.tck.StoreCalls.granted;
import static dev.leaderelection.tck.StoreCalls.remaining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.ExpiryEnforcement;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * When a lease runs out, for either {@linkplain LeaseStore#expiry() kind of store}: one whose server
 * frees it at once, or one whose every client must have watched the record unchanged for a whole
 * lease on its own clock before taking it. The holder writes through {@link #store()}; candidates
 * use clients of their own, as other processes would.
 */
interface ExpiryCases extends StoreUnderTest {

    /** Long enough to tell a whole lease from part of one on a busy machine, short enough to wait for. */
    Duration OBSERVED_LEASE = Duration.ofMillis(600);

    /** The longest a case waits for a grant that must come: many leases, for a busy machine. */
    Duration GRANT_BOUND = Duration.ofSeconds(10);

    @Test
    default void anExpiredLeaseCanNeitherBeRenewedNorKeepOthersOut(TestInfo test) {
        assumeTrue(store().expiry() == ExpiryEnforcement.SERVER, "the server expires leases");
        String election = election(test);
        LeaseToken holder = LeaseToken.random("node-a");
        granted(store().acquire(election, holder, Duration.ofMillis(200)));

        await().atMost(Duration.ofSeconds(5))
                .until(() -> answer(store().inspect(election)).isEmpty());

        assertThat(answer(store().renew(election, holder, LONG_TTL))).isFalse();
        try (LeaseStore justStarted = newClient()) {
            granted(justStarted.acquire(election, LeaseToken.random("node-b"), LONG_TTL));
        }
    }

    @Test
    default void aReleasedLeaseIsFreeAtOnceEvenToAClientThatHasJustStarted(TestInfo test) {
        String election = election(test);
        LeaseToken holder = LeaseToken.random("node-a");
        long first = granted(store().acquire(election, holder, LONG_TTL));
        assertThat(answer(store().release(election, holder))).isTrue();

        try (LeaseStore justStarted = newClient()) {
            assertThat(granted(justStarted.acquire(election, LeaseToken.random("node-b"), LONG_TTL)))
                    .isGreaterThan(first);
        }
    }

    @Test
    default void aCandidateWaitsAWholeLeaseFromItsFirstSightOfAHeldRecord(TestInfo test) {
        assumeObservers();
        String election = election(test);
        try (LeaseStore candidate = newClient()) {
            assertThat(answer(candidate.inspect(election))).isEmpty();
            LeaseToken holder = LeaseToken.random("node-a");
            granted(store().acquire(election, holder, OBSERVED_LEASE));
            // The record ages half a lease, as its writer's client sees it, before the candidate looks.
            await().atMost(GRANT_BOUND)
                    .until(() -> remaining(store().inspect(election)).compareTo(OBSERVED_LEASE.dividedBy(2)) <= 0);

            long firstSight = System.nanoTime();
            // The record's lease counts, not the candidate's own, longer one.
            Campaign campaign =
                    Campaign.untilGranted(candidate, election, LeaseToken.random("node-b"), LONG_TTL, GRANT_BOUND);

            assertThat(campaign.refusals())
                    .isNotEmpty()
                    .allSatisfy(refusal -> assertThat(refusal.instanceId()).isEqualTo("node-a"));
            assertThat(campaign.grantedAfter(firstSight))
                    .as("granted a whole lease after the candidate first saw the record, not earlier")
                    .isGreaterThanOrEqualTo(OBSERVED_LEASE);
            assertThat(answer(store().renew(election, holder, OBSERVED_LEASE)))
                    .as("the old holder lost the record")
                    .isFalse();
        }
    }

    @Test
    default void aRenewalRestartsTheCandidatesWatch(TestInfo test) {
        assumeObservers();
        String election = election(test);
        LeaseToken holder = LeaseToken.random("node-a");
        LeaseToken candidateToken = LeaseToken.random("node-b");
        granted(store().acquire(election, holder, OBSERVED_LEASE));
        try (LeaseStore candidate = newClient();
                LeaseStore bystander = newClient()) {
            assertRefused(
                    candidate.acquire(election, candidateToken, OBSERVED_LEASE), "a record seen for the first time");
            assertThat(answer(store().renew(election, holder, OBSERVED_LEASE))).isTrue();
            // A client that first looked after the candidate has watched the renewed record for a
            // whole lease: more than a lease has passed since the candidate's first sight.
            assertThat(answer(bystander.inspect(election))).isPresent();
            await().atMost(GRANT_BOUND)
                    .until(() -> answer(bystander.inspect(election)).isEmpty());

            long secondSight = System.nanoTime();
            assertRefused(
                    candidate.acquire(election, candidateToken, OBSERVED_LEASE),
                    "a renewed record the candidate sees only now, so its watch starts again");
            Campaign campaign = Campaign.untilGranted(candidate, election, candidateToken, OBSERVED_LEASE, GRANT_BOUND);

            assertThat(campaign.grantedAfter(secondSight))
                    .as("granted a whole lease after the candidate saw the renewed record, not earlier")
                    .isGreaterThanOrEqualTo(OBSERVED_LEASE);
        }
    }

    @Test
    default void aClientThatHasJustStartedNeverTakesALeaseItHasNotWatchedHoweverOldTheRecordLooks(TestInfo test) {
        assumeObservers();
        String election = election(test);
        LeaseToken holder = LeaseToken.random("node-a");
        granted(store().acquire(election, holder, OBSERVED_LEASE));
        // Older than a lease: even the writer's client judges the lease expired.
        await().atMost(GRANT_BOUND)
                .until(() -> answer(store().inspect(election)).isEmpty());

        try (LeaseStore justStarted = newClient()) {
            LeaseToken token = LeaseToken.random("node-b");
            long firstSight = System.nanoTime();
            assertRefused(
                    justStarted.acquire(election, token, OBSERVED_LEASE),
                    "a record that a client that has just started has not watched yet");
            Campaign campaign = Campaign.untilGranted(justStarted, election, token, OBSERVED_LEASE, GRANT_BOUND);

            assertThat(campaign.grantedAfter(firstSight))
                    .as("granted a whole lease after the new client first saw the record, not earlier")
                    .isGreaterThanOrEqualTo(OBSERVED_LEASE);
            assertThat(answer(store().renew(election, holder, OBSERVED_LEASE)))
                    .as("the old holder lost the record")
                    .isFalse();
        }
    }

    /** Asserts that {@code acquire} was refused, naming node-a, the holder in these cases. */
    private static void assertRefused(CompletionStage<AcquireResult> acquire, String why) {
        assertThat(answer(acquire))
                .as("refused: " + why)
                .isInstanceOfSatisfying(
                        AcquireResult.Held.class,
                        held -> assertThat(held.holder().instanceId()).isEqualTo("node-a"));
    }

    private void assumeObservers() {
        assumeTrue(store().expiry() == ExpiryEnforcement.OBSERVERS, "observers judge expiry");
    }
}
