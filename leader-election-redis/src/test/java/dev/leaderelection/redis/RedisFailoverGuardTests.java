package dev.leaderelection.redis;

import static dev.leaderelection.redis.RedisLeaseStore.LEASE_MARGIN;
import static dev.leaderelection.redis.ServerIdentity.recordedAsSeen;
import static dev.leaderelection.redis.ServerIdentity.replid;
import static dev.leaderelection.redis.ServerIdentity.runId;
import static dev.leaderelection.redis.StoreCalls.answer;
import static dev.leaderelection.redis.StoreCalls.askUntilGranted;
import static dev.leaderelection.redis.StoreCalls.granted;
import static dev.leaderelection.redis.StoreCalls.remaining;
import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The restart guard on data that may lack the last grant or renewal: data recorded by another
 * Redis server process or replication history, or not recorded at all. The first acquire that
 * finds the lease free holds back grants for one lease, until a leader that still trusts its
 * deadline has stepped down. {@link RedisPromotionGuardTests} runs real failovers.
 */
class RedisFailoverGuardTests {

    static final Duration LEASE = Duration.ofSeconds(2);
    /** Slack for a busy machine between Redis computing a PTTL and the test reading it. */
    static final Duration SLACK = Duration.ofMillis(200);

    static final String FAILED_OVER = "(redis failed over)";
    static final String RESTARTED = "(redis restarted)";
    static final String OTHER_ID = "0123456789abcdef0123456789abcdef01234567";

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void theFirstAcquireOfAnElectionRecordsTheServerAndHoldsForOneLease() throws InterruptedException {
        RedisLeaseStore store = store(true);
        LeaseToken token = LeaseToken.random("node-a");
        long firstAsk = System.nanoTime();

        AcquireResult first = answer(store.acquire("recorded", token, LEASE));

        assertThat(first).isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
            assertThat(held.holder().instanceId()).as("no epoch yet").isEqualTo(RESTARTED);
            assertThat(held.holder().remaining()).isBetween(LEASE.minus(SLACK), LEASE.plus(LEASE_MARGIN));
        });
        assertThat(redis.command("HMGET", "{guard:recorded}:server", "run_id", "replid"))
                .isEqualTo(runId(redis.server()) + "\n" + replid(redis.server()));
        assertThat(redis.command("TTL", "{guard:recorded}:server"))
                .as("no expiry")
                .isEqualTo("-1");
        Duration held = Duration.ofNanos(askUntilGranted(store, "recorded", token, LEASE) - firstAsk);
        assertThat(held).isGreaterThanOrEqualTo(LEASE.minus(SLACK)).isLessThan(LEASE.plusSeconds(1));
        assertThat(redis.command("HEXISTS", "{guard:recorded}:server", "until"))
                .as("the hold is over")
                .isEqualTo("0");
        Figures.print("first grant of a new election (lease 2 s, guard on)", List.of(held.toMillis()));
    }

    @Test
    void aFreeLeaseOnDataFromAnotherServerIsHeldForOneLeaseThenGranted() throws InterruptedException {
        recordedAsSeen(redis.server(), "{guard:moved}:server");
        RedisLeaseStore oldLeaderStore = store(true);
        LeaseToken oldLeader = LeaseToken.random("node-a");
        granted(oldLeaderStore.acquire("moved", oldLeader, LEASE));
        // What a replica that missed the last grant looks like: the other server's run_id, no lease.
        loseTheLeaseOnAnotherServer("moved", "run_id");

        RedisLeaseStore candidate = store(true);
        LeaseToken token = LeaseToken.random("node-b");
        long firstAsk = System.nanoTime();
        AcquireResult first = answer(candidate.acquire("moved", token, LEASE));

        assertThat(first).isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
            assertThat(held.holder().instanceId()).isEqualTo(FAILED_OVER);
            assertThat(held.holder().remaining()).isBetween(LEASE.minus(SLACK), LEASE.plus(LEASE_MARGIN));
        });
        assertThat(redis.command("HGET", "{guard:moved}:server", "run_id")).isEqualTo(runId(redis.server()));
        assertThat(answer(oldLeaderStore.renew("moved", oldLeader, LEASE)))
                .as("the old leader's next renewal is answered 'not yours'")
                .isFalse();

        Duration held = Duration.ofNanos(askUntilGranted(candidate, "moved", token, LEASE) - firstAsk);
        assertThat(held).isGreaterThanOrEqualTo(LEASE.minus(SLACK)).isLessThan(LEASE.plusSeconds(1));
        Figures.print("first grant after data from another server (lease 2 s, guard on)", List.of(held.toMillis()));

        // Once per change of server: the next free lease is granted at once.
        assertThat(answer(candidate.release("moved", token))).isTrue();
        granted(candidate.acquire("moved", LeaseToken.random("node-c"), LEASE));
    }

    @Test
    void aFreeLeaseOnDataFromAnotherReplicationHistoryOfTheSameProcessIsHeld() {
        recordedAsSeen(redis.server(), "{guard:history}:server");
        granted(store(true).acquire("history", LeaseToken.random("node-a"), LEASE));
        // The same process, promoted since it recorded itself: a fail-back.
        loseTheLeaseOnAnotherServer("history", "replid");

        assertThat(answer(store(true).acquire("history", LeaseToken.random("node-b"), LEASE)))
                .isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
                    assertThat(held.holder().instanceId()).isEqualTo(FAILED_OVER);
                    assertThat(held.holder().remaining()).isBetween(LEASE.minus(SLACK), LEASE.plus(LEASE_MARGIN));
                });
        assertThat(redis.command("HGET", "{guard:history}:server", "replid")).isEqualTo(replid(redis.server()));
    }

    @Test
    void everyAcquireDuringTheHoldIsHeldUntilItsEnd() throws InterruptedException {
        recordedAsSeen(redis.server(), "{guard:hold}:server");
        granted(store(true).acquire("hold", LeaseToken.random("node-a"), LEASE));
        loseTheLeaseOnAnotherServer("hold", "run_id");
        AcquireResult first = answer(store(true).acquire("hold", LeaseToken.random("node-b"), LEASE));

        Thread.sleep(500); // time passes during the hold
        AcquireResult later = answer(store(true).acquire("hold", LeaseToken.random("node-c"), LEASE));

        assertThat(later).isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
            assertThat(held.holder().instanceId()).isEqualTo(FAILED_OVER);
            assertThat(held.holder().remaining())
                    .as("the same hold, not a new one")
                    .isLessThanOrEqualTo(remaining(first).minusMillis(500))
                    .isPositive();
        });
    }

    @Test
    void aHoldEndingMoreThanOneLeaseFromNowIsCutToOneLease() {
        // What a step back of the Redis clock, or a hold taken with a far longer lease, leaves.
        long inAnHour = redisMillis() + 3_600_000;
        recordedAsSeen(redis.server(), "{guard:capped}:server");
        redis.command("HSET", "{guard:capped}:server", "until", Long.toString(inAnHour));

        assertThat(answer(store(true).acquire("capped", LeaseToken.random("node-b"), LEASE)))
                .isInstanceOfSatisfying(
                        AcquireResult.Held.class,
                        held -> assertThat(held.holder().remaining())
                                .isBetween(LEASE.minus(SLACK), LEASE.plus(LEASE_MARGIN)));
        // read after the acquire: however slow the first call of a new store is, the hold ends
        // no later than one lease after the acquire ran
        assertThat(Long.parseLong(redis.command("HGET", "{guard:capped}:server", "until")))
                .as("rewritten")
                .isLessThanOrEqualTo(redisMillis() + LEASE.plus(LEASE_MARGIN).toMillis());
    }

    private static long redisMillis() {
        String[] time = redis.command("TIME").split("\n");
        return Long.parseLong(time[0]) * 1000 + Long.parseLong(time[1]) / 1000;
    }

    @Test
    void withTheGuardOffAFreeLeaseOnDataFromAnotherServerIsGrantedAtOnce() {
        granted(store(false).acquire("unguarded", LeaseToken.random("node-a"), LEASE));
        redis.command("HSET", "{guard:unguarded}:server", "run_id", OTHER_ID, "replid", OTHER_ID);
        redis.command("DEL", "{guard:unguarded}:lease", "{guard:unguarded}:term");

        granted(store(false).acquire("unguarded", LeaseToken.random("node-b"), LEASE));
    }

    @Test
    void dataWithAnEpochButNoRecordedServerIsHeldForOneLease() throws InterruptedException {
        // What a replica that missed the record, or an election run by an earlier version, leaves.
        redis.command("SET", "{guard:older}:epoch", "5");
        RedisLeaseStore store = store(true);
        LeaseToken token = LeaseToken.random("node-b");
        long firstAsk = System.nanoTime();

        assertThat(answer(store.acquire("older", token, LEASE)))
                .isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
                    assertThat(held.holder().instanceId()).isEqualTo(FAILED_OVER);
                    assertThat(held.holder().remaining()).isBetween(LEASE.minus(SLACK), LEASE.plus(LEASE_MARGIN));
                });

        Duration held = Duration.ofNanos(askUntilGranted(store, "older", token, LEASE) - firstAsk);
        assertThat(held).isGreaterThanOrEqualTo(LEASE.minus(SLACK));
        assertThat(Long.parseLong(redis.command("GET", "{guard:older}:epoch"))).isGreaterThan(5);
        assertThat(redis.command("HGET", "{guard:older}:server", "run_id")).isEqualTo(runId(redis.server()));
        Figures.print(
                "first grant on an epoch without a server record (lease 2 s, guard on)", List.of(held.toMillis()));
    }

    /** Makes the election's data look replicated from a server that lost the last grant. */
    private static void loseTheLeaseOnAnotherServer(String election, String differingField) {
        String tag = "{guard:" + election + "}";
        redis.command("HSET", tag + ":server", differingField, OTHER_ID);
        redis.command("DEL", tag + ":lease", tag + ":term");
    }

    private RedisLeaseStore store(boolean restartGuard) {
        LettuceConnectionFactory connections = LettuceFactories.connectedTo(redis.server());
        resources.add(connections::destroy);
        RedisLeaseStore store = RedisLeaseStore.builder(connections)
                .keyPrefix("guard")
                .restartGuard(restartGuard)
                .build();
        resources.add(store);
        return store;
    }
}
