package dev.leaderelection.redis;

import static dev.leaderelection.redis.RedisLeaseStore.LEASE_MARGIN;
import static dev.leaderelection.redis.StoreCalls.answer;
import static dev.leaderelection.redis.StoreCalls.granted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The restart guard after a restart: a Redis that starts without an election's data, or without
 * its record of the server, grants no lease of that election until one lease duration after the
 * first acquire that finds the lease free, so a leader from before the restart, which still trusts
 * its local deadline, has stepped down first.
 */
class RedisRestartGuardTests {

    static final Duration LEASE = Duration.ofSeconds(2);
    /** The longest a first grant may take after a restart: one lease, and a second for a busy machine. */
    static final Duration GUARD = Duration.ofSeconds(3);
    /** Slack for a busy machine between Redis computing a PTTL and the test reading it. */
    static final Duration SLACK = Duration.ofMillis(200);

    static final String RESTARTED = "(redis restarted)";

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static LettuceConnectionFactory oldLeaderConnections;
    private static RedisLeaseStore oldLeaderStore;
    private final List<RedisLeaseStore> stores = new ArrayList<>();
    private @Nullable LettuceConnectionFactory candidateConnections;

    @BeforeAll
    static void connect() {
        oldLeaderConnections = LettuceFactories.connectedTo(redis.server());
        // The old leader's grant comes before the restart, on a server that may have just started.
        oldLeaderStore = RedisLeaseStore.builder(oldLeaderConnections)
                .keyPrefix("guard")
                .restartGuard(false)
                .build();
    }

    @AfterAll
    static void disconnect() {
        oldLeaderStore.close();
        oldLeaderConnections.destroy();
    }

    @AfterEach
    void disconnectTheCandidate() {
        stores.forEach(RedisLeaseStore::close);
        if (candidateConnections != null) {
            candidateConnections.destroy();
        }
    }

    @Test
    void afterAnEmptyRestartTheFirstGrantComesOneLeaseAfterTheStart() throws InterruptedException {
        LeaseToken oldLeader = LeaseToken.random("node-a");
        granted(oldLeaderStore.acquire("restart", oldLeader, LEASE));

        long restartedAt = restartEmpty();
        RedisLeaseStore candidate = candidateStore(true);

        // A candidate asks again when the answer says the hold ends, as a follower does.
        LeaseToken token = LeaseToken.random("node-b");
        int held = 0;
        AcquireResult result = answer(candidate.acquire("restart", token, LEASE));
        while (result instanceof AcquireResult.Held hold && held < 5) {
            held++;
            assertThat(hold.holder().instanceId()).isEqualTo(RESTARTED);
            assertThat(hold.holder().remaining()).isBetween(Duration.ofMillis(1), GUARD);
            Thread.sleep(hold.holder().remaining().toMillis() + 1);
            result = answer(candidate.acquire("restart", token, LEASE));
        }
        long grantedAt = System.nanoTime();

        assertThat(result).isInstanceOf(AcquireResult.Granted.class);
        assertThat(held)
                .as("held back, then granted at the first or second ask after the hold")
                .isBetween(1, 2);
        Duration firstGrant = Duration.ofNanos(grantedAt - restartedAt);
        assertThat(firstGrant).isGreaterThanOrEqualTo(LEASE).isLessThan(GUARD.plusSeconds(1));
        assertThat(answer(oldLeaderStore.renew("restart", oldLeader, LEASE)))
                .as("the old leader's next renewal on the empty server fails")
                .isFalse();
        Figures.print("first grant after an empty restart (lease 2 s, guard on)", List.of(firstGrant.toMillis()));
    }

    @Test
    void withTheGuardOffTheFirstCandidateAfterAnEmptyRestartIsGrantedAtOnce() {
        granted(oldLeaderStore.acquire("unguarded", LeaseToken.random("node-a"), LEASE));

        long restartedAt = restartEmpty();
        granted(candidateStore(false).acquire("unguarded", LeaseToken.random("node-b"), LEASE));

        assertThat(Duration.ofNanos(System.nanoTime() - restartedAt))
                .as("granted while the old leader may still trust its deadline")
                .isLessThan(LEASE);
    }

    @Test
    void anElectionWhoseEpochSurvivedTheRestartWithoutItsServerRecordIsHeldForOneLease() {
        restartEmpty();
        // A restart that kept the fencing counter but not the record of the server, which is older.
        redis.command("SET", "{guard:kept}:epoch", "5");

        assertThat(answer(candidateStore(true).acquire("kept", LeaseToken.random("node-b"), LEASE)))
                .isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
                    assertThat(held.holder().instanceId()).isEqualTo("(redis failed over)");
                    assertThat(held.holder().remaining()).isBetween(LEASE.minus(SLACK), LEASE.plus(LEASE_MARGIN));
                });
    }

    @Test
    void aNewElectionOnAServerThatRanLongerThanALeaseIsStillHeldForOneLease() {
        // As long as a replica that missed the election's first grant may be running there.
        await().atMost(GUARD.plusSeconds(5)).until(() -> uptimeSeconds() >= GUARD.toSeconds());

        assertThat(answer(candidateStore(true).acquire("new", LeaseToken.random("node-b"), LEASE)))
                .isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
                    assertThat(held.holder().instanceId()).isEqualTo(RESTARTED);
                    assertThat(held.holder().remaining()).isBetween(LEASE.minus(SLACK), LEASE.plus(LEASE_MARGIN));
                });
    }

    @Test
    void aRedisUserWhoMayNotRunInfoGetsAnErrorUnlessTheGuardIsOff() {
        redis.command("ACL", "SETUSER", "no-info", "on", ">secret", "allkeys", "allchannels", "+@all", "-info");
        try {
            candidateConnections = LettuceFactories.connectedAs(redis.server(), "no-info", "secret");
            RedisLeaseStore guarded = store(candidateConnections, true);
            RedisLeaseStore unguarded = store(candidateConnections, false);

            assertThatExceptionOfType(ExecutionException.class)
                    .isThrownBy(() -> guarded.acquire("acl", LeaseToken.random("node-b"), LEASE)
                            .toCompletableFuture()
                            .get(5, TimeUnit.SECONDS))
                    .havingRootCause()
                    .withMessageContaining("the restart guard needs INFO server")
                    .withMessageContaining("leader.election.redis.restart-guard=false");
            granted(unguarded.acquire("acl", LeaseToken.random("node-b"), LEASE));
        } finally {
            redis.command("ACL", "DELUSER", "no-info");
        }
    }

    /** Kills Redis and starts it again, empty; returns a time no later than the new server's start. */
    private static long restartEmpty() {
        redis.server().kill();
        long beforeStart = System.nanoTime();
        redis.server().start();
        return beforeStart;
    }

    /** A store on connections of its own, opened after any restart, like another instance's. */
    private RedisLeaseStore candidateStore(boolean restartGuard) {
        LettuceConnectionFactory connections = LettuceFactories.connectedTo(redis.server());
        candidateConnections = connections;
        return store(connections, restartGuard);
    }

    private RedisLeaseStore store(LettuceConnectionFactory connections, boolean restartGuard) {
        RedisLeaseStore store = RedisLeaseStore.builder(connections)
                .keyPrefix("guard")
                .restartGuard(restartGuard)
                .build();
        stores.add(store);
        return store;
    }

    private static long uptimeSeconds() {
        Matcher uptime =
                Pattern.compile("uptime_in_seconds:(\\d+)").matcher(String.valueOf(redis.command("INFO", "server")));
        assertThat(uptime.find()).isTrue();
        return Long.parseLong(uptime.group(1));
    }
}
