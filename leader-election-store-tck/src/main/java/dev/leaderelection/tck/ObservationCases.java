package dev.leaderelection.tck;

import static dev.leaderelection.tck.StoreCalls.answer;
import static dev.leaderelection.tck.StoreCalls.granted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * What every instance can learn about an election besides the lease: the grant announcement (who
 * was granted, with which fencing token) and the candidates, each announced by its own acquire or
 * renew calls and listed for two of that call's ttls.
 */
interface ObservationCases extends StoreUnderTest {

    /** How far a candidate's {@code lastSeen} may be off this machine's clock: a store on a server's clock. */
    Duration CLOCK_SLACK = Duration.ofSeconds(5);

    /** Whether the store announces grants to subscribers; {@code LeaseStoreContract} documents it. */
    boolean announcesGrants();

    /** Whether the store lists candidates; {@code LeaseStoreContract} documents it. */
    boolean keepsCandidates();

    @Test
    default void aGrantIsAnnouncedToSubscribersWithItsHolderAndFencingToken(TestInfo test) {
        assumeTrue(announcesGrants(), "the store announces grants");
        String election = election(test);
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        Set<String> handedOut = ConcurrentHashMap.newKeySet();
        LeaseChangeListener listener = new LeaseChangeListener() {
            @Override
            public void released() {}

            @Override
            public void granted(String instanceId, long fencingToken) {
                heard.add(instanceId + " " + fencingToken);
            }
        };
        try (LeaseStore other = newClient();
                LeaseStore.Subscription subscription = store().subscribe(election, listener)) {
            // A subscription may take a moment to reach the store: grant until one announcement arrives.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                LeaseToken token = LeaseToken.random("node-b");
                handedOut.add("node-b " + granted(other.acquire(election, token, LONG_TTL)));
                answer(other.release(election, token));
                String announced = heard.poll(100, TimeUnit.MILLISECONDS);
                return announced != null && handedOut.contains(announced);
            });
        }
        assertThat(heard).allSatisfy(announced -> assertThat(announced).startsWith("node-b "));
    }

    @Test
    default void everyAcquireAndRenewAnnouncesItsCallerAsACandidate(TestInfo test) {
        assumeTrue(keepsCandidates(), "the store keeps candidates");
        String election = election(test);
        Instant before = Instant.now();
        try (LeaseStore other = newClient()) {
            LeaseToken holder = LeaseToken.random("node-a");
            granted(store().acquire(election, holder, LONG_TTL));
            answer(other.acquire(election, LeaseToken.random("node-b"), LONG_TTL));
            Map<String, Instant> first = listed(other, election);

            assertThat(first).containsOnlyKeys("node-a", "node-b");
            assertThat(first.values())
                    .allSatisfy(lastSeen -> assertThat(lastSeen)
                            .isBetween(before.minus(CLOCK_SLACK), Instant.now().plus(CLOCK_SLACK)));

            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> {
                        assertThat(answer(store().renew(election, holder, LONG_TTL)))
                                .isTrue();
                        assertThat(listed(store(), election).get("node-a")).isAfter(first.get("node-a"));
                    });
        }
    }

    @Test
    default void aCandidateThatStopsCallingDropsOutWithinTwoOfItsTtls(TestInfo test) {
        assumeTrue(keepsCandidates(), "the store keeps candidates");
        String election = election(test);
        Duration ttl = Duration.ofMillis(500);
        LeaseToken holder = LeaseToken.random("node-a");
        granted(store().acquire(election, holder, ttl));
        long calledAt;
        try (LeaseStore other = newClient()) {
            calledAt = System.nanoTime();
            answer(other.acquire(election, LeaseToken.random("node-b"), ttl));
            assertThat(listed(store(), election)).containsKey("node-b");
        }

        await().atMost(ttl.multipliedBy(2).plus(CLOCK_SLACK))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    answer(store().renew(election, holder, ttl)); // the holder keeps calling
                    return !listed(store(), election).containsKey("node-b");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - calledAt))
                .as("listed for two ttls after its last call")
                .isGreaterThanOrEqualTo(ttl.multipliedBy(2).minusMillis(50));
        assertThat(listed(store(), election)).containsOnlyKeys("node-a");
    }

    private static Map<String, Instant> listed(LeaseStore client, String election) {
        List<Candidate> candidates = answer(client.candidates(election));
        return candidates.stream().collect(Collectors.toMap(Candidate::instanceId, Candidate::lastSeen));
    }
}
