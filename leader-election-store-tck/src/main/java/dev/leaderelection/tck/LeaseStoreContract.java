package dev.leaderelection.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The contract every {@link LeaseStore} must keep. A store's test extends this class and provides
 * the store; each test uses an election name of its own.
 *
 * <p>The test methods are public so that a subclass in any package inherits them.
 */
public abstract class LeaseStoreContract {

    protected static final Duration LONG_TTL = Duration.ofSeconds(30);

    /** The store under test, ready to use. */
    protected abstract LeaseStore store();

    /** Whether the store wakes subscribers on release. */
    protected boolean notifiesReleases() {
        return true;
    }

    protected String election(TestInfo test) {
        return "contract-" + test.getTestMethod().orElseThrow().getName();
    }

    protected static <T> T answer(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception ex) {
            throw new AssertionError("store call failed", ex);
        }
    }

    @Test
    public void acquireGrantsAFreeLease(TestInfo test) {
        LeaseToken token = LeaseToken.random("node-a");

        AcquireResult result = answer(store().acquire(election(test), token, LONG_TTL));

        assertThat(result).isInstanceOf(AcquireResult.Granted.class);
        assertThat(answer(store().inspect(election(test)))).hasValueSatisfying(holder -> {
            assertThat(holder.instanceId()).isEqualTo("node-a");
            assertThat(holder.remaining()).isBetween(LONG_TTL.minusSeconds(5), LONG_TTL);
        });
    }

    @Test
    public void acquireOfAHeldLeaseNamesTheHolderAndItsRemainingTime(TestInfo test) {
        answer(store().acquire(election(test), LeaseToken.random("node-a"), Duration.ofSeconds(10)));

        AcquireResult result = answer(store().acquire(election(test), LeaseToken.random("node-b"), LONG_TTL));

        assertThat(result).isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
            assertThat(held.holder().instanceId()).isEqualTo("node-a");
            assertThat(held.holder().remaining()).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10));
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
    public void anExpiredLeaseCanNeitherBeRenewedNorKeepOthersOut(TestInfo test) {
        LeaseToken holder = LeaseToken.random("node-a");
        answer(store().acquire(election(test), holder, Duration.ofMillis(200)));

        await().atMost(Duration.ofSeconds(5))
                .until(() -> answer(store().inspect(election(test))).isEmpty());

        assertThat(answer(store().renew(election(test), holder, LONG_TTL))).isFalse();
        assertThat(answer(store().acquire(election(test), LeaseToken.random("node-b"), LONG_TTL)))
                .isInstanceOf(AcquireResult.Granted.class);
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
        if (!notifiesReleases()) {
            return;
        }
        CountDownLatch woken = new CountDownLatch(1);
        AtomicInteger otherElection = new AtomicInteger();
        LeaseToken holder = LeaseToken.random("node-a");
        answer(store().acquire(election(test), holder, LONG_TTL));
        try (var subscription = store().subscribeToReleases(election(test), woken::countDown);
                var other = store().subscribeToReleases(election(test) + "-other", otherElection::incrementAndGet)) {
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
    public void concurrentCampaignsNeverGrantTwoHoldersAtOnce(TestInfo test) throws Exception {
        int workers = 4;
        int grantsEach = 25;
        AtomicInteger holders = new AtomicInteger();
        int[] unguardedCounter = {0};
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                String instance = "node-" + w;
                results.add(pool.submit(() -> {
                    int granted = 0;
                    while (granted < grantsEach) {
                        LeaseToken token = LeaseToken.random(instance);
                        if (answer(store().acquire(election(test), token, LONG_TTL)) instanceof AcquireResult.Granted) {
                            assertThat(holders.incrementAndGet()).isEqualTo(1);
                            int seen = unguardedCounter[0];
                            Thread.yield();
                            unguardedCounter[0] = seen + 1;
                            holders.decrementAndGet();
                            assertThat(answer(store().release(election(test), token)))
                                    .isTrue();
                            granted++;
                        }
                    }
                    return granted;
                }));
            }
            int total = 0;
            for (Future<Integer> result : results) {
                total += result.get(60, TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo(workers * grantsEach);
        } finally {
            pool.shutdownNow();
        }
        assertThat(unguardedCounter[0]).isEqualTo(workers * grantsEach);
    }

    protected long granted(CompletionStage<AcquireResult> stage) {
        AcquireResult result = answer(stage);
        assertThat(result).isInstanceOf(AcquireResult.Granted.class);
        return ((AcquireResult.Granted) result).fencingToken();
    }
}
