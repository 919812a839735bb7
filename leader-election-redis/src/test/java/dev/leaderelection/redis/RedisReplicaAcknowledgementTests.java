package dev.leaderelection.redis;

import static dev.leaderelection.redis.StoreCalls.answer;
import static dev.leaderelection.redis.StoreCalls.granted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.BackoffPolicy;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.RevocationReason;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.tck.ElectionHistory;
import dev.leaderelection.testing.redis.ProcessRedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * {@code min-replicas-acked}: a primary and one replica, stores that need the replica's {@code WAIT}
 * acknowledgement for every grant and renewal. Counted grants and renewals are on the replica when
 * the call answers, so a promoted replica has the last one; with the replica frozen or gone no grant
 * counts and the leader steps down before its lease ends.
 */
class RedisReplicaAcknowledgementTests {

    static final Duration LEASE = Duration.ofSeconds(2);
    static final ElectionTimings TIMINGS = ElectionTimings.builder()
            .leaseDuration(LEASE)
            .renewInterval(Duration.ofMillis(500))
            .operationTimeout(Duration.ofMillis(600))
            .retryInterval(Duration.ofMillis(500))
            .backoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(250), 2.0, 0.5))
            .build();
    /** Half the operation timeout, as the auto-configuration sets it. */
    static final Duration WAIT_TIMEOUT = TIMINGS.operationTimeout().dividedBy(2);
    /** For direct store calls, which test what a counted call leaves on the replica, not timing. */
    static final Duration PATIENT_WAIT_TIMEOUT = Duration.ofSeconds(5);

    static ProcessRedisServer primary;
    static ProcessRedisServer replica;

    private final ElectionHistory history = new ElectionHistory();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<LeaseLeaderElector> electors = new ArrayList<>();
    private String election;
    private String keys;

    @BeforeAll
    static void startPrimaryAndReplica() {
        primary = new ProcessRedisServer();
        primary.start();
        replica = ProcessRedisServer.replicaOf(primary.port());
        replica.start();
        replica.awaitReplicationLinkUp();
    }

    @AfterAll
    static void stopPrimaryAndReplica() {
        replica.close();
        primary.close();
    }

    /** An election of each test's own, on servers that the tests share. */
    @BeforeEach
    void nameTheElection(TestInfo test) {
        election = test.getTestMethod().orElseThrow().getName();
        keys = "{wait:" + election + "}";
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        // back to a replica of the primary, in sync, for the next test
        replica.resume();
        if (!replica.isRunning()) {
            replica.start();
        } else if (!"slave".equals(replica.info("replication", "role"))) {
            replica.replicate(primary.port());
        }
        replica.awaitReplicationLinkUp();
        history.assertOneLeaderAtATime();
    }

    @Test
    void everyGrantAndRenewalIsOnTheReplicaWhenTheCallAnswers() {
        RedisLeaseStore store = store(primary, PATIENT_WAIT_TIMEOUT);
        Duration lease = Duration.ofSeconds(30);
        // As on a restarted or promoted server: the first call falls back from EVALSHA to EVAL.
        assertThat(primary.command("SCRIPT", "FLUSH")).isEqualTo("OK");
        for (int round = 0; round < 20; round++) {
            LeaseToken token = LeaseToken.random("node-" + round);
            long fencingToken = granted(store.acquire(election, token, lease));
            assertThat(replica.command("GET", keys + ":lease")).isEqualTo(token.encoded());
            assertThat(replica.command("GET", keys + ":epoch")).isEqualTo(Long.toString(fencingToken));
            assertThat(answer(store.renew(election, token, lease))).isTrue();
            assertThat(replica.command("GET", keys + ":term")).isEqualTo(token.encoded());
            if (round < 19) {
                assertThat(answer(store.release(election, token))).isTrue();
            }
        }
        String last = primary.command("GET", keys + ":lease");

        // Promoted at once, as a failover would: nothing more reaches it from the primary.
        replica.promote();
        assertThat(replica.command("GET", keys + ":lease")).isEqualTo(last);
    }

    @Test
    void withoutTheReplicaAGrantIsWrittenButNotCountedAndExpiresByItself() {
        RedisLeaseStore store = store(primary);
        replica.kill();
        LeaseToken token = LeaseToken.random("node-a");

        assertThatThrownBy(() -> store.acquire(election, token, LEASE)
                        .toCompletableFuture()
                        .get(15, TimeUnit.SECONDS))
                .hasRootCauseInstanceOf(AcknowledgedWrites.NotAcknowledgedException.class)
                .rootCause()
                .hasMessageContaining("min-replicas-acked (1)");
        // On the primary, not counted by anyone; the lease expires as any lease of a dead holder.
        assertThat(primary.command("GET", keys + ":lease")).isEqualTo(token.encoded());
        await().atMost(LEASE.multipliedBy(3)).until(() -> "0".equals(primary.command("EXISTS", keys + ":lease")));
    }

    @Test
    void theLeaderStepsDownBeforeItsLeaseEndsWhileTheReplicaIsFrozenAndNobodyLeadsUntilItResumes() {
        elector("node-a").start();
        elector("node-b").start();
        awaitOneLeader();
        long frozenAt = System.nanoTime();

        replica.pause();
        await().atMost(LEASE.multipliedBy(3)).until(() -> leaders().count() == 0);
        long steppedDownMillis = (System.nanoTime() - frozenAt) / 1_000_000;
        ElectionHistory.Term ended = history.lastTerm();
        assertThat(ended.endedAt()).isNotNull().isLessThan(ended.deadline());
        assertThat(ended.reason()).isEqualTo(RevocationReason.STORE_UNREACHABLE);
        int terms = history.terms().size();
        // Both keep asking, and the primary takes their grants, but none is acknowledged: none counts.
        await().during(LEASE.multipliedBy(3).dividedBy(2))
                .atMost(LEASE.multipliedBy(3))
                .until(() -> leaders().count() == 0);
        assertThat(history.terms()).hasSize(terms);

        replica.resume();
        awaitOneLeader();
        Figures.print(
                "Replica frozen, min-replicas-acked=1: from the freeze to the leader's step-down (lease 1 s)",
                List.of(steppedDownMillis));
    }

    private void awaitOneLeader() {
        await().atMost(LEASE.multipliedBy(6)).until(() -> leaders().count() == 1);
    }

    private Stream<LeaseLeaderElector> leaders() {
        return electors.stream().filter(LeaseLeaderElector::isLeader);
    }

    private LeaseLeaderElector elector(String id) {
        RedisLeaseStore store = store(primary);
        ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(1, id + "-election-");
        resources.add(scheduler::close);
        LeaseLeaderElector elector = new RedisLeaderElector(election, id, store, TIMINGS, scheduler);
        elector.addListener(history.listenerFor(id));
        resources.add(elector::stop);
        electors.add(elector);
        return elector;
    }

    private RedisLeaseStore store(ProcessRedisServer server) {
        return store(server, WAIT_TIMEOUT);
    }

    private RedisLeaseStore store(ProcessRedisServer server, Duration waitTimeout) {
        LettuceConnectionFactory connections = LettuceFactories.connectedTo(server);
        resources.add(connections::destroy);
        // Without the restart guard, which would hold each election's first grant back for one lease.
        RedisLeaseStore store = RedisLeaseStore.builder(connections)
                .keyPrefix("wait")
                .restartGuard(false)
                .minReplicasAcked(1, waitTimeout)
                .build();
        resources.add(store);
        store.start();
        return store;
    }
}
