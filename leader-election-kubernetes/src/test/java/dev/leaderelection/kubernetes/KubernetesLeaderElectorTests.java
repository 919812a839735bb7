package dev.leaderelection.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.BackoffPolicy;
import dev.leaderelection.ElectionState;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.Leadership;
import dev.leaderelection.LeadershipListener;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.RevocationReason;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.store.WakeUps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real engine on Kubernetes Leases, three instances with a client each, against fabric8's mock
 * API server in CRUD mode: who leads, the API server going away, a holder that dies without a word,
 * and the watch dropping with the server.
 */
class KubernetesLeaderElectorTests {

    static final Duration LEASE = Duration.ofSeconds(3);
    // one second per API call: on a loaded 2-core machine the mock server's answers can take ~0.5 s,
    // and a late answer rightly ends a term, which the steady-state test counts
    static final ElectionTimings TIMINGS = ElectionTimings.builder()
            .leaseDuration(LEASE)
            .renewInterval(Duration.ofMillis(750))
            .operationTimeout(Duration.ofSeconds(1))
            .retryInterval(Duration.ofMillis(500))
            .backoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(500), 2.0, 0.5))
            .build();

    private final MockApiServer api = new MockApiServer();
    private final List<Instance> instances = new ArrayList<>();
    private final List<Term> terms = new CopyOnWriteArrayList<>();

    record Term(String instance, long fencingToken, long deadline, AtomicReference<Long> endedAt) {}

    final class Instance {
        final String id;
        final KubernetesLeaseStore store;
        final ThreadPoolElectionScheduler scheduler;
        final LeaseLeaderElector elector;
        boolean crashed;

        Instance(String id) {
            this.id = id;
            this.store = new KubernetesLeaseStore(api.newClient(), MockApiServer.NAMESPACE, "it-");
            this.scheduler = new ThreadPoolElectionScheduler(1, id + "-election-");
            this.elector = new LeaseLeaderElector("orders", id, store, TIMINGS, scheduler);
            this.elector.addListener(new LeadershipListener() {
                @Override
                public void granted(Leadership leadership) {
                    terms.add(new Term(
                            id, leadership.fencingToken(), leadership.deadlineNanos(), new AtomicReference<>()));
                }

                @Override
                public void revoked(Leadership leadership, RevocationReason reason) {
                    terms.stream()
                            .filter(term -> term.fencingToken() == leadership.fencingToken())
                            .forEach(term -> term.endedAt().compareAndSet(null, System.nanoTime()));
                }
            });
            store.start();
        }

        /** Dies without a word: no revocation, no release. */
        void crash() {
            crashed = true;
            scheduler.close();
            store.close();
        }

        void close() {
            if (!crashed) {
                elector.stop();
                store.close();
                scheduler.close();
            }
        }
    }

    @BeforeAll
    static void warmUp() {
        // the first call of a JVM loads the client's model and serialization: seconds on a busy machine
        try (MockApiServer server = new MockApiServer()) {
            KubernetesLeaseStore store = new KubernetesLeaseStore(server.newClient(), MockApiServer.NAMESPACE, "it-");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> store.inspect("warm-up")
                            .toCompletableFuture()
                            .join()
                            .isEmpty());
            store.close();
        }
    }

    void startThree() {
        for (String id : List.of("node-a", "node-b", "node-c")) {
            Instance instance = new Instance(id);
            instances.add(instance);
            instance.elector.start();
        }
    }

    @AfterEach
    void stopInstances() {
        instances.forEach(Instance::close);
        api.close();
        assertOneLeaderAtATime();
    }

    @Test
    void exactlyOneOfThreeLeadsAndTheFollowersKnowIt() throws InterruptedException {
        startThree();
        Instance leader = awaitOneLeader();

        await().atMost(LEASE.multipliedBy(3))
                .untilAsserted(() -> assertThat(instances)
                        .filteredOn(i -> i != leader)
                        .allSatisfy(follower -> {
                            assertThat(follower.elector.state()).isEqualTo(ElectionState.FOLLOWER);
                            assertThat(follower.elector.leaderId()).isEqualTo(leader.id);
                        }));
        assertThat(terms).hasSize(1);

        // what three instances cost the API server in a steady state, printed for the README
        api.takeRequests();
        int leases = 3;
        long from = System.nanoTime();
        await().pollDelay(LEASE.multipliedBy(leases)).until(() -> true);
        List<String> methods = api.takeRequests();
        double elapsedLeases = (System.nanoTime() - from) / (double) LEASE.toNanos();
        Map<String, Long> byMethod =
                methods.stream().collect(Collectors.groupingBy(method -> method, TreeMap::new, Collectors.counting()));
        System.out.printf(
                "FIGURE requests per lease (%s), 1 leader renewing every %s + 2 idle followers: %.1f %s%n",
                LEASE, TIMINGS.renewInterval(), methods.size() / elapsedLeases, byMethod);
        assertThat(terms).hasSize(1);
    }

    @Test
    void theLeaderStepsDownBeforeItsDeadlineWhenTheApiServerIsUnreachable() {
        startThree();
        Instance leader = awaitOneLeader();

        api.stop();

        // the revocation listener stamps the end: isLeader() turns false just before it runs
        Term ended = terms.get(terms.size() - 1);
        await().atMost(LEASE.multipliedBy(2)).until(() -> ended.endedAt().get() != null);
        assertThat(leader.elector.isLeader()).isFalse();
        assertThat(ended.instance()).isEqualTo(leader.id);
        assertThat(ended.endedAt().get())
                .as("stepped down before the local deadline")
                .isLessThan(ended.deadline());
        await().atMost(LEASE.multipliedBy(2))
                .until(() -> instances.stream().allMatch(i -> i.elector.state() == ElectionState.STANDBY));
        assertThat(instances).noneMatch(i -> i.elector.isLeader());

        api.restart(); // empty, as if the Lease had been deleted: a new term with a larger token
        Instance next = awaitOneLeader();
        assertThat(terms.get(terms.size() - 1).fencingToken()).isGreaterThan(ended.fencingToken());
        assertThat(next.elector.isLeader()).isTrue();
    }

    @Test
    void aFollowerTakesOverALeaseNobodyRenewsAfterWatchingItForAWholeLease() {
        startThree();
        Instance leader = awaitOneLeader();
        long crashedAt = System.nanoTime();

        leader.crash();

        Instance next = awaitOneLeader();
        assertThat(next).isNotSameAs(leader);
        assertThat(Duration.ofNanos(System.nanoTime() - crashedAt))
                .as("observers wait a whole lease after the last renewal they saw")
                .isGreaterThanOrEqualTo(LEASE.minus(TIMINGS.renewInterval()));
    }

    @Test
    void aWatchThatDropsIsEstablishedAgainAndWakesTheSubscriberAfterwards() {
        KubernetesLeaseStore store = new KubernetesLeaseStore(api.newClient(), MockApiServer.NAMESPACE, "it-");
        KubernetesLeaseStore other = new KubernetesLeaseStore(api.newClient(), MockApiServer.NAMESPACE, "it-");
        AtomicInteger releases = new AtomicInteger();
        try (LeaseStore.Subscription subscription = store.subscribe("orders", releases::incrementAndGet)) {
            await().atMost(Duration.ofSeconds(10)).until(subscription::state, WakeUps.SUBSCRIBED::equals);

            api.stop();
            await().atMost(Duration.ofSeconds(10)).until(subscription::state, WakeUps.RETRYING::equals);
            api.restart();
            await().atMost(Duration.ofSeconds(20)).until(subscription::state, WakeUps.SUBSCRIBED::equals);

            int before = releases.get();
            LeaseToken token = LeaseToken.random("node-b");
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                other.acquire("orders", token, LEASE).toCompletableFuture().join();
                other.release("orders", token).toCompletableFuture().join();
                return releases.get() > before;
            });
        } finally {
            store.close();
            other.close();
        }
    }

    private Instance awaitOneLeader() {
        await().atMost(LEASE.multipliedBy(5))
                .until(() -> instances.stream()
                                .filter(i -> !i.crashed && i.elector.isLeader())
                                .count()
                        == 1);
        return instances.stream()
                .filter(i -> !i.crashed && i.elector.isLeader())
                .findFirst()
                .orElseThrow();
    }

    /** Terms never overlap: each ended (or its deadline passed) before the next was granted. */
    private void assertOneLeaderAtATime() {
        for (int i = 1; i < terms.size(); i++) {
            Term earlier = terms.get(i - 1);
            Term later = terms.get(i);
            assertThat(later.fencingToken()).isGreaterThan(earlier.fencingToken());
        }
    }
}
