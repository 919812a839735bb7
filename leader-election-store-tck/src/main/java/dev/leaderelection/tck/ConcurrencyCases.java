package dev.leaderelection.tck;

import static dev.leaderelection.store.LeaseStore.MAX_LEASE_MARGIN;
import static dev.leaderelection.tck.StoreCalls.answer;
import static dev.leaderelection.tck.StoreCalls.granted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseStore.Subscription;
import dev.leaderelection.store.LeaseToken;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Two clients of the store's data, as two processes, campaigning at once; and many elections sharing
 * one store instance, each as if it were alone.
 */
interface ConcurrencyCases extends StoreUnderTest {

    int ELECTIONS = 50;

    @Test
    default void concurrentCampaignsNeverGrantTwoHoldersAtOnce(TestInfo test) throws Exception {
        int workers = 4;
        int grantsEach = 25;
        AtomicInteger holders = new AtomicInteger();
        int[] unguardedCounter = {0};
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try (LeaseStore other = newClient()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                String instance = "node-" + w;
                LeaseStore client = w % 2 == 0 ? store() : other;
                results.add(pool.submit(() -> {
                    int granted = 0;
                    while (granted < grantsEach) {
                        LeaseToken token = LeaseToken.random(instance);
                        if (answer(client.acquire(election(test), token, LONG_TTL)) instanceof AcquireResult.Granted) {
                            assertThat(holders.incrementAndGet()).isEqualTo(1);
                            int seen = unguardedCounter[0];
                            Thread.yield();
                            unguardedCounter[0] = seen + 1;
                            holders.decrementAndGet();
                            assertThat(answer(client.release(election(test), token)))
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

    @Test
    default void manyElectionsOnOneStoreEachGrantExactlyOneOfTwoRacingClients(TestInfo test) {
        List<String> elections = elections(test);
        List<LeaseToken> ourTokens = tokens("a", elections);
        List<LeaseToken> theirTokens = tokens("b", elections);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (LeaseStore other = newClient()) {
            List<CompletableFuture<AcquireResult>> ours = new ArrayList<>();
            List<CompletableFuture<AcquireResult>> theirs = new ArrayList<>();
            for (int i = 0; i < ELECTIONS; i++) {
                ours.add(acquireOn(pool, store(), elections.get(i), ourTokens.get(i)));
                theirs.add(acquireOn(pool, other, elections.get(i), theirTokens.get(i)));
            }
            for (int i = 0; i < ELECTIONS; i++) {
                String election = elections.get(i);
                AcquireResult a = answer(ours.get(i));
                AcquireResult b = answer(theirs.get(i));
                boolean aWon = a instanceof AcquireResult.Granted;
                assertThat(aWon)
                        .as("exactly one grant in %s: %s, %s", election, a, b)
                        .isNotEqualTo(b instanceof AcquireResult.Granted);
                long winnersToken = ((AcquireResult.Granted) (aWon ? a : b)).fencingToken();
                LeaseToken winner = (aWon ? ourTokens : theirTokens).get(i);
                assertThat(((AcquireResult.Held) (aWon ? b : a)).holder().instanceId())
                        .isEqualTo(winner.instanceId());

                assertThat(answer((aWon ? store() : other).release(election, winner)))
                        .isTrue();
                LeaseStore loser = aWon ? other : store();
                assertThat(granted(loser.acquire(election, LeaseToken.random("c-" + election), LONG_TTL)))
                        .isGreaterThan(winnersToken);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    default void renewAndReleaseInOneElectionLeaveTheOthersUntouched(TestInfo test) {
        List<String> elections = elections(test);
        // long enough for 50 grants on a busy machine; the first two elections, which the test renews
        // and releases, are granted last
        Duration ttl = Duration.ofSeconds(20);
        List<LeaseToken> holders = new ArrayList<>();
        for (String election : elections) {
            holders.add(LeaseToken.random("holder-" + election));
        }
        for (int i = ELECTIONS - 1; i >= 0; i--) {
            granted(store().acquire(elections.get(i), holders.get(i), ttl));
        }

        assertThat(answer(store().renew(elections.get(0), holders.get(0), LONG_TTL)))
                .isTrue();
        assertThat(answer(store().release(elections.get(1), holders.get(1)))).isTrue();
        assertThat(answer(store().renew(elections.get(2), holders.get(0), LONG_TTL)))
                .as("a token of one election means nothing in another")
                .isFalse();
        assertThat(answer(store().release(elections.get(3), holders.get(0)))).isFalse();

        assertThat(answer(store().inspect(elections.get(0))))
                .hasValueSatisfying(lease -> assertThat(lease.remaining()).isGreaterThan(ttl));
        assertThat(answer(store().inspect(elections.get(1)))).isEmpty();
        for (int i = 2; i < ELECTIONS; i++) {
            String election = elections.get(i);
            assertThat(answer(store().inspect(election))).hasValueSatisfying(lease -> {
                assertThat(lease.instanceId()).isEqualTo("holder-" + election);
                assertThat(lease.remaining()).isLessThanOrEqualTo(ttl.plus(MAX_LEASE_MARGIN));
            });
        }
    }

    @Test
    default void aReleaseWakesOnlyThatElectionsSubscribersAmongMany(TestInfo test) {
        assumeTrue(notifiesReleases(), "the store wakes subscribers on release");
        List<String> elections = elections(test);
        String released = elections.get(ELECTIONS / 2);
        List<AtomicInteger> wakeUps = new ArrayList<>();
        List<Subscription> subscriptions = new ArrayList<>();
        try (LeaseStore other = newClient()) {
            for (String election : elections) {
                AtomicInteger count = new AtomicInteger();
                wakeUps.add(count);
                subscriptions.add(store().subscribe(election, count::incrementAndGet));
            }
            LeaseToken holder = LeaseToken.random("node-a");
            // A subscription may take a moment to reach the store: release until one wake-up arrives.
            AtomicInteger woken = wakeUps.get(ELECTIONS / 2);
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        granted(other.acquire(released, holder, LONG_TTL));
                        assertThat(answer(other.release(released, holder))).isTrue();
                        return woken.get() > 0;
                    });
        } finally {
            subscriptions.forEach(Subscription::close);
        }
        for (int i = 0; i < ELECTIONS; i++) {
            if (i != ELECTIONS / 2) {
                assertThat(wakeUps.get(i)).as(elections.get(i)).hasValue(0);
            }
        }
    }

    private List<String> elections(TestInfo test) {
        return IntStream.range(0, ELECTIONS)
                .mapToObj(i -> election(test) + "-" + i)
                .toList();
    }

    private static List<LeaseToken> tokens(String side, List<String> elections) {
        return elections.stream()
                .map(election -> LeaseToken.random(side + "-" + election))
                .toList();
    }

    private static CompletableFuture<AcquireResult> acquireOn(
            ExecutorService pool, LeaseStore client, String election, LeaseToken token) {
        return CompletableFuture.supplyAsync(() -> answer(client.acquire(election, token, LONG_TTL)), pool);
    }
}
