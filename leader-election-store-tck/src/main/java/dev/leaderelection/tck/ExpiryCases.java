package dev.leaderelection.tck;

import static dev.leaderelection.tck.StoreCalls.answer;
import static dev.leaderelection.tck.StoreCalls.granted;
import static dev.leaderelection.tck.StoreCalls.held;
import static dev.leaderelection.tck.StoreCalls.remaining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.leaderelection.store.ExpiryEnforcement;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import java.time.Duration;
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
            assertThat(campaign.grantedAfter(firstSight)).isGreaterThanOrEqualTo(OBSERVED_LEASE);
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
            assertThat(held(candidate.acquire(election, candidateToken, OBSERVED_LEASE))
                            .instanceId())
                    .isEqualTo("node-a");
            assertThat(answer(store().renew(election, holder, OBSERVED_LEASE))).isTrue();
            // A client that first looked after the candidate has watched the renewed record for a
            // whole lease: more than a lease has passed since the candidate's first sight.
            assertThat(answer(bystander.inspect(election))).isPresent();
            await().atMost(GRANT_BOUND)
                    .until(() -> answer(bystander.inspect(election)).isEmpty());

            long secondSight = System.nanoTime();
            assertThat(held(candidate.acquire(election, candidateToken, OBSERVED_LEASE))
                            .instanceId())
                    .as("the candidate has not yet seen the renewed record for a whole lease")
                    .isEqualTo("node-a");
            Campaign campaign = Campaign.untilGranted(candidate, election, candidateToken, OBSERVED_LEASE, GRANT_BOUND);

            assertThat(campaign.grantedAfter(secondSight)).isGreaterThanOrEqualTo(OBSERVED_LEASE);
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
            assertThat(held(justStarted.acquire(election, token, OBSERVED_LEASE))
                            .instanceId())
                    .isEqualTo("node-a");
            Campaign campaign = Campaign.untilGranted(justStarted, election, token, OBSERVED_LEASE, GRANT_BOUND);

            assertThat(campaign.grantedAfter(firstSight)).isGreaterThanOrEqualTo(OBSERVED_LEASE);
            assertThat(answer(store().renew(election, holder, OBSERVED_LEASE))).isFalse();
        }
    }

    private void assumeObservers() {
        assumeTrue(store().expiry() == ExpiryEnforcement.OBSERVERS, "observers judge expiry");
    }
}
