package dev.leaderelection.tck;

import static dev.leaderelection.store.LeaseStore.MAX_LEASE_MARGIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.store.WakeUps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The contract every {@link LeaseStore} must keep. A store's test extends this class and supplies
 * the store, a second client of the same data ({@link #newClient()}) and a way to wipe that data
 * ({@link #wipeStoreData()}); each test uses election names of its own.
 *
 * <p>Besides the single operations below, the contract covers expiry as the store {@linkplain
 * LeaseStore#expiry() enforces it} ({@code ExpiryCases}: cases of the other kind are skipped),
 * fencing tokens after the store lost its data ({@code DataLossCases}), and concurrent clients and
 * many elections on one store ({@code ConcurrencyCases}), and what every instance learns besides
 * the lease: grant announcements and candidates ({@code ObservationCases}).
 *
 * <p>The test methods are public so that a subclass in any package inherits them.
 */
public abstract class LeaseStoreContract implements ExpiryCases, DataLossCases, ConcurrencyCases, ObservationCases {

    /** The store under test, ready to use; the subclass closes it. */
    @Override
    public abstract LeaseStore store();

    /**
     * A further client of the same data as {@link #store()}, as another process would open it: its
     * own connections and, for a store whose observers judge expiry, its own observations. Each call
     * opens a new one; the contract closes it at the end of the test, and the subclass frees what it
     * opened for it (a connection factory, say) after the test.
     */
    @Override
    public abstract LeaseStore newClient();

    /**
     * Deletes everything the store keeps, of every election, as an empty restart or a dropped table
     * would: leases and fencing counters alike.
     */
    @Override
    public abstract void wipeStoreData();

    /** Whether the store wakes subscribers on release. */
    @Override
    public boolean notifiesReleases() {
        return true;
    }

    /**
     * Whether the store announces grants to its subscribers ({@link
     * dev.leaderelection.store.LeaseChangeListener#granted}); by default whenever it {@linkplain
     * #notifiesReleases() notifies releases}.
     */
    @Override
    public boolean announcesGrants() {
        return notifiesReleases();
    }

    /**
     * Whether the store lists candidates ({@link LeaseStore#candidates}); a store that keeps the
     * SPI's default, an empty list, answers {@code false}.
     */
    @Override
    public boolean keepsCandidates() {
        return true;
    }

    @Override
    public String election(TestInfo test) {
        return "contract-" + test.getTestMethod().orElseThrow().getName();
    }

    protected static <T> T answer(CompletionStage<T> stage) {
        return StoreCalls.answer(stage);
    }

    @Test
    public void acquireGrantsAFreeLease(TestInfo test) {
        LeaseToken token = LeaseToken.random("node-a");

        AcquireResult result = answer(store().acquire(election(test), token, LONG_TTL));

        assertThat(result).isInstanceOf(AcquireResult.Granted.class);
        assertThat(answer(store().inspect(election(test)))).hasValueSatisfying(holder -> {
            assertThat(holder.instanceId()).isEqualTo("node-a");
            assertThat(holder.remaining()).isBetween(LONG_TTL.minusSeconds(5), LONG_TTL.plus(MAX_LEASE_MARGIN));
        });
    }

    @Test
    public void acquireOfAHeldLeaseNamesTheHolderAndItsRemainingTime(TestInfo test) {
        answer(store().acquire(election(test), LeaseToken.random("node-a"), Duration.ofSeconds(10)));

        AcquireResult result = answer(store().acquire(election(test), LeaseToken.random("node-b"), LONG_TTL));

        assertThat(result).isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
            assertThat(held.holder().instanceId()).isEqualTo("node-a");
            assertThat(held.holder().remaining())
                    .isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10).plus(MAX_LEASE_MARGIN));
        });
    }

    @Test
    public void acquireWithTheHoldersOwnTokenGrantsAgainWithALargerFencingToken(TestInfo test) {
        LeaseToken token = LeaseToken.random("node-a");
        long first = granted(store().acquire(election(test), token, LONG_TTL));

        long second = granted(store().acquire(election(test), token, LONG_TTL));

        assertThat(second).isGreaterThan(first);
    }

    @Test
    public void fencingTokensIncreaseStrictlyAcrossGrants(TestInfo test) {
        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            LeaseToken token = LeaseToken.random("node-" + (i % 3));
            tokens.add(granted(store().acquire(election(test), token, LONG_TTL)));
            assertThat(answer(store().release(election(test), token))).isTrue();
        }
        assertThat(tokens).isSorted().doesNotHaveDuplicates();
    }

    @Test
    public void renewExtendsOnlyTheHoldersLease(TestInfo test) {
        LeaseToken holder = LeaseToken.random("node-a");
        answer(store().acquire(election(test), holder, Duration.ofSeconds(5)));

        assertThat(answer(store().renew(election(test), LeaseToken.random("node-b"), LONG_TTL)))
                .isFalse();
        assertThat(answer(store().renew(election(test), holder, LONG_TTL))).isTrue();
        assertThat(answer(store().inspect(election(test))))
                .hasValueSatisfying(lease -> assertThat(lease.remaining()).isGreaterThan(Duration.ofSeconds(20)));
    }

    @Test
    public void renewWithASameNamedInstanceButAnotherNonceFails(TestInfo test) {
        answer(store().acquire(election(test), LeaseToken.random("node-a"), LONG_TTL));

        assertThat(answer(store().renew(election(test), LeaseToken.random("node-a"), LONG_TTL)))
                .isFalse();
    }

    @Test
    public void releaseFreesOnlyTheHoldersLease(TestInfo test) {
        LeaseToken holder = LeaseToken.random("node-a");
        answer(store().acquire(election(test), holder, LONG_TTL));

        assertThat(answer(store().release(election(test), LeaseToken.random("node-b"))))
                .isFalse();
        assertThat(answer(store().inspect(election(test)))).isPresent();
        assertThat(answer(store().release(election(test), holder))).isTrue();
        assertThat(answer(store().inspect(election(test)))).isEmpty();
        assertThat(answer(store().release(election(test), holder))).isFalse();
    }

    @Test
    public void inspectOfAFreeLeaseIsEmpty(TestInfo test) {
        Optional<LeaseHolder> holder = answer(store().inspect(election(test)));

        assertThat(holder).isEmpty();
    }

    @Test
    public void releaseWakesSubscribersOfThatElectionOnly(TestInfo test) throws InterruptedException {
        assumeTrue(notifiesReleases(), "the store wakes subscribers on release");
        CountDownLatch woken = new CountDownLatch(1);
        AtomicInteger otherElection = new AtomicInteger();
        LeaseToken holder = LeaseToken.random("node-a");
        answer(store().acquire(election(test), holder, LONG_TTL));
        try (var subscription = store().subscribe(election(test), woken::countDown);
                var other = store().subscribe(election(test) + "-other", otherElection::incrementAndGet)) {
            // A subscription may take a moment to reach the store: release until one wake-up arrives.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                answer(store().acquire(election(test), holder, LONG_TTL));
                answer(store().release(election(test), holder));
                return woken.await(100, TimeUnit.MILLISECONDS);
            });
        }
        assertThat(otherElection).hasValue(0);
    }

    @Test
    public void aSubscriptionReportsItsWakeUpLink(TestInfo test) {
        LeaseStore.Subscription subscription = store().subscribe(election(test), () -> {});
        try {
            WakeUps linked = notifiesReleases() ? WakeUps.SUBSCRIBED : WakeUps.NONE;
            // established with retry in the background: SUBSCRIBED once the link is up
            await().atMost(Duration.ofSeconds(10)).until(subscription::state, linked::equals);
        } finally {
            subscription.close();
        }
        assertThat(subscription.state()).as("a closed subscription").isEqualTo(WakeUps.NONE);
    }

    protected long granted(CompletionStage<AcquireResult> stage) {
        return StoreCalls.granted(stage);
    }
}
