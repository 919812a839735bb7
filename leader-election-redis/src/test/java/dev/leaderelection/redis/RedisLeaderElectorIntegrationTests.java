package dev.leaderelection.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.BackoffPolicy;
import dev.leaderelection.ElectionState;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.RevocationReason;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.tck.ElectionHistory;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Three electors, each with its own connections and threads, against a real Redis server. The
 * stores keep their defaults, restart guard included: these tests are about what users see.
 */
class RedisLeaderElectorIntegrationTests {

    static final Duration LEASE = Duration.ofSeconds(2);
    static final ElectionTimings TIMINGS = ElectionTimings.builder()
            .leaseDuration(LEASE)
            .renewInterval(Duration.ofMillis(600))
            .operationTimeout(Duration.ofMillis(300))
            .retryInterval(Duration.ofSeconds(1))
            .backoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(500), 2.0, 0.5))
            .build();

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final ElectionHistory history = new ElectionHistory();
    private final List<Instance> instances = new ArrayList<>();

    /** One elector with everything a separate process would have of its own. */
    final class Instance {
        final String id;
        final LettuceConnectionFactory connectionFactory;
        final RedisLeaseStore store;
        final ThreadPoolElectionScheduler scheduler;
        final LeaseLeaderElector elector;
        boolean crashed;

        Instance(String id) {
            this.id = id;
            this.connectionFactory = LettuceFactories.connectedTo(redis.server());
            this.store = new RedisLeaseStore(connectionFactory, "it");
            this.scheduler = new ThreadPoolElectionScheduler(1, id + "-election-");
            this.elector = new RedisLeaderElector("orders", id, store, TIMINGS, scheduler);
            this.elector.addListener(history.listenerFor(id));
        }

        /** Dies without a word: no revocation, no release. */
        void crash() {
            crashed = true;
            scheduler.close();
            history.crashed(id);
            store.close();
            connectionFactory.destroy();
        }

        void close() {
            if (!crashed) {
                elector.stop();
                store.close();
                scheduler.close();
                connectionFactory.destroy();
            }
        }
    }

    @BeforeEach
    void startThreeInstances() {
        for (String id : List.of("node-a", "node-b", "node-c")) {
            Instance instance = new Instance(id);
            instances.add(instance);
            instance.elector.start();
        }
    }

    @AfterEach
    void stopInstances() {
        instances.forEach(Instance::close);
        history.assertOneLeaderAtATime();
    }

    @Test
    void exactlyOneOfThreeLeadsAndKeepsLeading() {
        Instance leader = awaitOneLeader();

        await().during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(4))
                .until(() -> leaders().count() == 1 && leader.elector.isLeader());

        assertThat(history.terms()).hasSize(1);
        assertThat(live()).filteredOn(i -> i != leader).allSatisfy(follower -> {
            assertThat(follower.elector.state()).isEqualTo(ElectionState.FOLLOWER);
            assertThat(follower.elector.leaderId()).isEqualTo(leader.id);
        });
    }

    @Test
    void anotherInstanceTakesOverWithinTheLeaseAfterTheLeaderCrashes() {
        List<Long> takeoverMillis = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            Instance leader = awaitOneLeader();
            long crashedAt = System.nanoTime();
            leader.crash();

            Instance successor = awaitOneLeader();
            long took = (history.lastTerm().grantedAt() - crashedAt) / 1_000_000;
            takeoverMillis.add(took);
            assertThat(successor).isNotSameAs(leader);
            assertThat(Duration.ofMillis(took)).isLessThanOrEqualTo(LEASE.plusMillis(300));
            restartAs(leader.id);
        }
        Figures.print("takeover after crash (lease 2 s)", takeoverMillis);
    }

    @Test
    void aGracefulStopHandsOverMuchFasterThanTheRetryInterval() {
        List<Long> handOffMillis = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            Instance leader = awaitOneLeader();
            long stoppedAt = System.nanoTime();
            leader.elector.stop();

            Instance successor = awaitOneLeader();
            long took = (history.lastTerm().grantedAt() - stoppedAt) / 1_000_000;
            handOffMillis.add(took);
            assertThat(successor).isNotSameAs(leader);
            assertThat(history.terms())
                    .filteredOn(term -> term.instance().equals(leader.id))
                    .last()
                    .extracting(ElectionHistory.Term::reason)
                    .isEqualTo(RevocationReason.SHUTDOWN);
            assertThat(Duration.ofMillis(took))
                    .isLessThan(TIMINGS.retryInterval().dividedBy(2));
            leader.elector.start();
        }
        Figures.print("hand-off after graceful stop (lease 2 s)", handOffMillis);
    }

    @Test
    void theLeaderStepsDownBeforeItsLeaseCouldEndWhileRedisIsFrozen() {
        Instance leader = awaitOneLeader();

        redis.server().pause();
        try {
            await().atMost(LEASE.multipliedBy(2))
                    .until(() -> live().allMatch(i -> i.elector.state() == ElectionState.STANDBY));
            ElectionHistory.Term ended = history.lastTerm();
            assertThat(ended.instance()).isEqualTo(leader.id);
            assertThat(ended.reason()).isIn(RevocationReason.STORE_UNREACHABLE, RevocationReason.DEADLINE_PASSED);
            assertThat(ended.endedAt())
                    .as("stepped down before the local deadline")
                    .isLessThan(ended.deadline());
            assertThat(leaders()).isEmpty();
        } finally {
            redis.server().resume();
        }

        awaitOneLeader();
    }

    @Test
    void afterRedisRestartsEmptyExactlyOneLeadsWithALargerFencingToken() {
        Instance leader = awaitOneLeader();
        long tokenBefore = history.lastTerm().fencingToken();

        redis.server().kill();
        await().atMost(LEASE).until(() -> !leader.elector.isLeader());
        ElectionHistory.Term ended = history.lastTerm();
        assertThat(ended.endedAt()).as("stepped down before the local deadline").isLessThan(ended.deadline());
        redis.server().start();

        awaitOneLeader();
        assertThat(history.lastTerm().fencingToken()).isGreaterThan(tokenBefore);
    }

    @Test
    void noSecondLeaderWhenRedisRestartsEmptyWithinTheLease() {
        Instance leader = awaitOneLeader();
        long tokenBefore = history.lastTerm().fencingToken();
        awaitARenewal(leader); // so that the restart falls well inside the renew interval

        redis.server().kill();
        long restartedAt = System.nanoTime(); // no later than the new server's start
        redis.server().start();
        boolean stillLeading = leader.elector.isLeader();
        long restartMillis = (System.nanoTime() - restartedAt) / 1_000_000;
        // A newcomer asks the empty server at once, while the old leader still trusts its deadline.
        restartAs("node-d");

        // Held back by the guard, which lasts at least one lease: the newcomer, or a follower that woke.
        await().atMost(LEASE).until(() -> live().anyMatch(i -> "(redis restarted)".equals(i.elector.leaderId())));
        assertThat(stillLeading)
                .as("the old leader still led after the restart, which took %d ms", restartMillis)
                .isTrue();
        await().atMost(LEASE.multipliedBy(3)).until(() -> history.lastTerm().fencingToken() > tokenBefore);
        awaitOneLeader();
        ElectionHistory.Term first = history.lastTerm();
        long firstGrantMillis = (first.grantedAt() - restartedAt) / 1_000_000;
        assertThat(Duration.ofMillis(firstGrantMillis))
                .as("no grant until one lease after the restart")
                .isGreaterThanOrEqualTo(LEASE);
        assertThat(first.fencingToken()).isGreaterThan(tokenBefore);
        Figures.print("first grant after an empty restart within the lease (lease 2 s)", List.of(firstGrantMillis));
    }

    @Test
    void nobodyElseLeadsBeforeTheLeaderStepsDownWhenTheLeaseKeyIsDeleted() {
        Instance leader = awaitOneLeader();
        long token = history.lastTerm().fencingToken();

        assertThat(redis.command("DEL", "{it:orders}:lease")).isEqualTo("1");
        // Wake the followers as a release would: each asks Redis right after the DEL.
        redis.command("PUBLISH", "{it:orders}:released", "released");

        await().atMost(TIMINGS.renewInterval().plus(TIMINGS.operationTimeout()))
                .until(() -> history.terms().get(0).endedAt() != null);
        ElectionHistory.Term ended = history.terms().get(0);
        assertThat(ended.instance()).isEqualTo(leader.id);
        assertThat(ended.reason()).isEqualTo(RevocationReason.LEASE_LOST);
        assertThat(ended.fencingToken()).isEqualTo(token);
        awaitOneLeader();
        assertThat(history.lastTerm().grantedAt())
                .as("the term key kept everyone out until the old leader's deadline")
                .isGreaterThanOrEqualTo(ended.deadline());
    }

    @Test
    void everyoneFollowsAnOperatorWhoOverwritesTheLeaseKey() {
        Instance leader = awaitOneLeader();

        redis.command("SET", "{it:orders}:lease", "0123abcd:operator", "PX", "3000");

        // Followers notice when the lease they saw would have ended: within one lease.
        await().atMost(LEASE.plusMillis(500))
                .until(() -> live().allMatch(i ->
                        "operator".equals(i.elector.leaderId()) && i.elector.state() == ElectionState.FOLLOWER));
        assertThat(history.lastTerm().instance()).isEqualTo(leader.id);
        assertThat(history.lastTerm().reason()).isEqualTo(RevocationReason.LEASE_LOST);
        awaitOneLeader();
    }

    /** One leader whose grant the listeners have seen: the grant sets the guard before it notifies them. */
    private Instance awaitOneLeader() {
        await().atMost(LEASE.multipliedBy(3)).until(() -> leaders().count() == 1 && grantRecorded());
        return leaders().findFirst().orElseThrow();
    }

    private boolean grantRecorded() {
        ElectionHistory.Term last = history.terms().isEmpty() ? null : history.lastTerm();
        return last != null
                && last.endedAt() == null
                && leaders().anyMatch(leader -> leader.id.equals(last.instance()));
    }

    private Stream<Instance> live() {
        return instances.stream().filter(instance -> !instance.crashed);
    }

    private Stream<Instance> leaders() {
        return live().filter(instance -> instance.elector.isLeader());
    }

    private Instance restartAs(String id) {
        Instance restarted = new Instance(id);
        instances.add(restarted);
        restarted.elector.start();
        return restarted;
    }

    private static void awaitARenewal(Instance leader) {
        Instant before = leader.elector.status().lastRenewal();
        await().atMost(TIMINGS.renewInterval().multipliedBy(2))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> !Objects.equals(leader.elector.status().lastRenewal(), before));
    }
}
