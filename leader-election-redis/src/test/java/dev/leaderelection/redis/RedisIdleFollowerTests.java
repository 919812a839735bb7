package dev.leaderelection.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeadershipListener;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.StoreCallOutcome;
import dev.leaderelection.StoreOperation;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * An idle follower that knows the holder polls with one command as Redis counts them (a plain
 * {@code PTTL}), writes nothing, and stays listed as a candidate through its presence channel; once
 * the lease is free it takes it with the full acquire. The holder here is a
 * lease taken by hand for a minute, so that no renewal adds to Redis' counters; a correctness check
 * of what a poll sends, not a timing claim.
 */
class RedisIdleFollowerTests {

    static final Duration LEASE = Duration.ofSeconds(1);
    static final String ELECTION = "orders";
    static final String PRESENCE = "{idle:orders}:candidate:follower";

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final BlockingQueue<Long> polls = new LinkedBlockingQueue<>();
    private final AtomicLong lastPoll = new AtomicLong();
    private LettuceConnectionFactory holderConnections;
    private RedisLeaseStore holderStore;
    private LeaseToken holder;
    private LettuceConnectionFactory followerConnections;
    private RedisLeaseStore followerStore;
    private ThreadPoolElectionScheduler scheduler;
    private LeaseLeaderElector follower;

    @BeforeEach
    void holderAndFollower() throws Exception {
        holderConnections = LettuceFactories.connectedTo(redis.server());
        holderStore = store(holderConnections);
        holder = LeaseToken.random("holder");
        assertThat(holderStore
                        .acquire(ELECTION, holder, Duration.ofMinutes(1))
                        .toCompletableFuture()
                        .get(5, TimeUnit.SECONDS))
                .isInstanceOf(AcquireResult.Granted.class);

        followerConnections = LettuceFactories.connectedTo(redis.server());
        followerStore = store(followerConnections);
        followerStore.start();
        scheduler = new ThreadPoolElectionScheduler(1, "idle-follower-");
        follower = new RedisLeaderElector(
                ELECTION,
                "follower",
                followerStore,
                ElectionTimings.builder()
                        .leaseDuration(LEASE)
                        .renewInterval(Duration.ofMillis(300))
                        .operationTimeout(Duration.ofMillis(300))
                        .build(),
                scheduler);
        follower.addListener(new LeadershipListener() {
            @Override
            public void storeCallCompleted(StoreOperation operation, StoreCallOutcome outcome, Duration latency) {
                if (operation == StoreOperation.ACQUIRE) {
                    lastPoll.set(System.nanoTime());
                    polls.add(System.nanoTime());
                }
            }
        });
        follower.start();
        await().atMost(LEASE.multipliedBy(5)).until(() -> "holder".equals(follower.leaderId()));
    }

    @AfterEach
    void stop() {
        follower.stop();
        followerStore.close();
        scheduler.close();
        followerConnections.destroy();
        holderStore.close();
        holderConnections.destroy();
    }

    @Test
    void anIdleFollowerPollsWithOnePttlAndStaysListedAsACandidate() throws Exception {
        // Its first polls are full acquires, until its presence channel and the holder are known.
        await().atMost(LEASE.multipliedBy(6)).pollInterval(Duration.ZERO).until(() -> commandsOfNextPolls(1) == 1);

        Map<String, Long> before = stats();
        awaitPolls(3);
        Map<String, Long> after = stats();

        // The INFO that read `before` counts too: one command, one request.
        assertThat(after.get("total_commands_processed") - before.get("total_commands_processed") - 1)
                .as("commands of three polls")
                .isEqualTo(3);
        assertThat(after.get("cmdstat_pttl") - before.get("cmdstat_pttl"))
                .as("requests of three polls")
                .isEqualTo(3);
        assertThat(after.get("cmdstat_evalsha")).as("no script").isEqualTo(before.get("cmdstat_evalsha"));
        assertThat(after.get("cmdstat_zadd")).as("no candidate write").isEqualTo(before.get("cmdstat_zadd"));
        assertThat(follower.leaderId()).isEqualTo("holder");

        List<Candidate> candidates =
                holderStore.candidates(ELECTION).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(candidates).extracting(Candidate::instanceId).containsExactlyInAnyOrder("holder", "follower");
    }

    @Test
    void aReleaseWakesTheLightlyPollingFollowerWhichTakesTheLeaseWithTheFullAcquire() throws Exception {
        await().atMost(LEASE.multipliedBy(6)).pollInterval(Duration.ZERO).until(() -> commandsOfNextPolls(1) == 1);

        assertThat(holderStore.release(ELECTION, holder).toCompletableFuture().get(5, TimeUnit.SECONDS))
                .isTrue();

        await().atMost(LEASE.dividedBy(2)).until(follower::isLeader);
        assertThat(follower.leaderId()).isEqualTo("follower");
    }

    @Test
    void aFollowerThatStopsPollingDropsOutOfTheCandidatesWithinTwoLeasesAndASweep() throws Exception {
        // Listed through its presence channel, which its store subscribed at its first poll.
        await().atMost(LEASE.multipliedBy(6))
                .until(() -> Objects.toString(redis.command("PUBSUB", "CHANNELS", "{idle:orders}:candidate:*"), "")
                        .lines()
                        .anyMatch(PRESENCE::equals));
        assertThat(listed()).contains("follower");

        follower.stop();
        long lastPolled = lastPoll.get();

        await().atMost(LEASE.multipliedBy(2).plus(FollowerPolls.SWEEP_INTERVAL).plusSeconds(2))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !listed().contains("follower"));
        assertThat(Duration.ofNanos(System.nanoTime() - lastPolled))
                .as("listed for two leases after its last poll")
                .isGreaterThanOrEqualTo(LEASE.multipliedBy(2).minusMillis(100));
    }

    /** Waits for the next poll's answer, then counts the commands of the {@code count} polls after it. */
    private long commandsOfNextPolls(int count) throws Exception {
        awaitPolls(1);
        Map<String, Long> before = stats();
        awaitPolls(count);
        return (stats().get("total_commands_processed") - before.get("total_commands_processed") - 1) / count;
    }

    /** Waits for {@code count} more poll answers; the next poll is a lease away. */
    private void awaitPolls(int count) throws InterruptedException {
        polls.clear();
        for (int i = 0; i < count; i++) {
            assertThat(polls.poll(LEASE.multipliedBy(3).toMillis(), TimeUnit.MILLISECONDS))
                    .as("poll answered")
                    .isNotNull();
        }
    }

    private List<String> listed() throws Exception {
        return holderStore.candidates(ELECTION).toCompletableFuture().get(5, TimeUnit.SECONDS).stream()
                .map(Candidate::instanceId)
                .toList();
    }

    /** Redis' counters: total_commands_processed, and cmdstat_<command> as its calls. */
    private static Map<String, Long> stats() {
        Map<String, Long> stats = new HashMap<>();
        String info = redis.command("INFO", "all");
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("total_commands_processed:")) {
                stats.put(
                        "total_commands_processed",
                        Long.parseLong(line.substring(line.indexOf(':') + 1).trim()));
            } else if (line.startsWith("cmdstat_")) {
                String calls = line.substring(line.indexOf("calls=") + 6, line.indexOf(','));
                stats.put(line.substring(0, line.indexOf(':')), Long.parseLong(calls));
            }
        }
        stats.putIfAbsent("cmdstat_zadd", 0L);
        stats.putIfAbsent("cmdstat_evalsha", 0L);
        stats.putIfAbsent("cmdstat_pttl", 0L);
        return stats;
    }

    private static RedisLeaseStore store(LettuceConnectionFactory connections) {
        return RedisLeaseStore.builder(connections)
                .keyPrefix("idle")
                .restartGuard(false)
                .build();
    }
}
