package dev.leaderelection.redis;

import static dev.leaderelection.redis.StoreCalls.answer;
import static dev.leaderelection.redis.StoreCalls.granted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.BackoffPolicy;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.tck.ElectionHistory;
import dev.leaderelection.testing.redis.ProcessRedisServer;
import dev.leaderelection.testing.redis.SentinelTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A primary, two replicas and three sentinels; stores and electors reach the primary through
 * Sentinel, as {@code spring.data.redis.sentinel.*} does. The primary is killed, or frozen long
 * enough for Sentinel to promote a replica and then resumed: never two leaders, every leader that
 * loses its term steps down before its deadline, and one leads again. One round of each by default,
 * {@value #CHAOS_ROUNDS} with {@code -Pchaos} (system property {@code sentinel.rounds}).
 */
class RedisSentinelFailoverTests {

    static final int CHAOS_ROUNDS = 20;
    static final int ROUNDS = Integer.getInteger("sentinel.rounds", 1);

    static final Duration DOWN_AFTER = Duration.ofSeconds(1);
    /** A bound for a failure, not a timing claim: a busy machine delays sentinels too. */
    static final Duration FAILOVER = Duration.ofSeconds(30);

    static final Duration LEASE = Duration.ofSeconds(2);
    static final ElectionTimings TIMINGS = ElectionTimings.builder()
            .leaseDuration(LEASE)
            .renewInterval(Duration.ofMillis(600))
            .operationTimeout(Duration.ofMillis(400))
            .retryInterval(Duration.ofSeconds(1))
            .backoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(500), 2.0, 0.5))
            .build();

    static SentinelTopology topology;

    private final ElectionHistory history = new ElectionHistory();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<LeaseLeaderElector> electors = new ArrayList<>();

    @BeforeAll
    static void startTopology() {
        topology = SentinelTopology.start(DOWN_AFTER);
    }

    @AfterAll
    static void stopTopology() {
        topology.close();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        history.assertOneLeaderAtATime();
    }

    @Test
    void aStoreFollowsTheFailoverAndTheReplicatedLeaseStaysWithItsHolder() {
        Duration lease = Duration.ofSeconds(20); // outlasts the failover
        // Without the restart guard, which would hold the election's first grant back for one lease.
        RedisLeaseStore a = store(false);
        RedisLeaseStore b = store(false);
        LeaseToken holder = LeaseToken.random("node-a");
        ProcessRedisServer old = topology.primary();
        granted(a.acquire("sentinel-store", holder, lease));
        old.command("WAIT", "2", "5000"); // both replicas have the grant

        old.kill();
        ProcessRedisServer promoted = topology.awaitPromotionFrom(old, FAILOVER);
        assertThat(promoted.command("GET", "{sentinel:sentinel-store}:lease")).isEqualTo(holder.encoded());

        // The stores' connections reconnect on their own, to the server Sentinel names now.
        await().atMost(FAILOVER).ignoreExceptions().until(() -> answer(a.renew("sentinel-store", holder, lease)));
        assertThat(answer(b.acquire("sentinel-store", LeaseToken.random("node-b"), lease)))
                .isInstanceOfSatisfying(
                        AcquireResult.Held.class,
                        held -> assertThat(held.holder().instanceId()).isEqualTo("node-a"));
        assertThat(answer(a.release("sentinel-store", holder))).isTrue();
        topology.rejoinAsReplica(old, FAILOVER);
    }

    @Test
    void withReplicaAcknowledgementThroughSentinelEveryReplicaHasTheGrantWhenItIsAnswered() {
        // After another test's failover, both replicas must follow the primary before WAIT can count them.
        topology.awaitReplicasInSync(FAILOVER);
        LettuceConnectionFactory connections = LettuceFactories.connectedTo(topology);
        resources.add(connections::destroy);
        // The store's own connection comes from the factory's client: through Sentinel, to the primary.
        RedisLeaseStore store = RedisLeaseStore.builder(connections)
                .keyPrefix("sentinel")
                .restartGuard(false)
                .minReplicasAcked(2, Duration.ofSeconds(1))
                .build();
        resources.add(store);
        store.start();
        LeaseToken holder = LeaseToken.random("node-a");
        ProcessRedisServer primary = topology.primary();

        granted(store.acquire("sentinel-acked", holder, LEASE));

        assertThat(topology.servers())
                .filteredOn(server -> server != primary)
                .hasSize(2)
                .allSatisfy(replica -> assertThat(replica.command("GET", "{sentinel:sentinel-acked}:lease"))
                        .isEqualTo(holder.encoded()));
        assertThat(answer(store.release("sentinel-acked", holder))).isTrue();
    }

    @Test
    void neverTwoLeadersWhenSentinelPromotesAReplicaAfterThePrimaryIsKilled() {
        runRounds("kill", old -> {
            old.kill();
            topology.awaitPromotionFrom(old, FAILOVER);
        });
    }

    @Test
    void neverTwoLeadersWhenThePrimaryIsFrozenThroughAFailoverAndComesBackAsAReplica() {
        runRounds("freeze", old -> {
            old.pause();
            // Clients stay connected to the frozen primary until Sentinel demotes it after the resume.
            topology.awaitPromotionFrom(old, FAILOVER);
        });
    }

    private void runRounds(String fault, Consumer<ProcessRedisServer> failover) {
        for (String id : List.of("node-a", "node-b", "node-c")) {
            elector(id).start();
        }
        List<Long> leaderlessMillis = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            awaitOneLeader();
            int termsBefore = history.terms().size();
            ProcessRedisServer old = topology.primary();
            long faultAt = System.nanoTime();

            failover.accept(old);
            topology.rejoinAsReplica(old, FAILOVER);
            LeaseLeaderElector leader = awaitOneLeader();

            history.assertOneLeaderAtATime();
            assertThat(history.terms()
                            .subList(
                                    Math.max(0, termsBefore - 1),
                                    history.terms().size()))
                    .as("round %d: every term that ended ended before its deadline", round)
                    .filteredOn(term -> term.endedAt() != null)
                    .allSatisfy(term -> assertThat(term.endedAt()).isLessThan(term.deadline()));
            long oneLeaderAgain = Math.max(faultAt, history.lastTerm().grantedAt());
            leaderlessMillis.add((oneLeaderAgain - faultAt) / 1_000_000);
            assertThat(leader.isLeader()).isTrue();
        }
        Figures.print(
                "Sentinel " + fault
                        + " of the primary: from the fault to one leader again (0 = kept leading; lease 2 s, down-after 1 s)",
                leaderlessMillis);
    }

    private LeaseLeaderElector awaitOneLeader() {
        await().atMost(FAILOVER.plus(LEASE.multipliedBy(3)))
                .until(() -> leaders().count() == 1 && grantRecorded());
        return leaders().findFirst().orElseThrow();
    }

    private boolean grantRecorded() {
        ElectionHistory.Term last = history.terms().isEmpty() ? null : history.lastTerm();
        return last != null
                && last.endedAt() == null
                && leaders().anyMatch(e -> e.instanceId().equals(last.instance()));
    }

    private Stream<LeaseLeaderElector> leaders() {
        return electors.stream().filter(LeaseLeaderElector::isLeader);
    }

    private LeaseLeaderElector elector(String id) {
        RedisLeaseStore store = store(true);
        ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(1, id + "-election-");
        resources.add(scheduler::close);
        LeaseLeaderElector elector = new RedisLeaderElector("orders", id, store, TIMINGS, scheduler);
        elector.addListener(history.listenerFor(id));
        resources.add(elector::stop);
        electors.add(elector);
        return elector;
    }

    private RedisLeaseStore store(boolean restartGuard) {
        LettuceConnectionFactory connections = LettuceFactories.connectedTo(topology);
        resources.add(connections::destroy);
        RedisLeaseStore store = RedisLeaseStore.builder(connections)
                .keyPrefix("sentinel")
                .restartGuard(restartGuard)
                .build();
        resources.add(store);
        store.start();
        return store;
    }
}
