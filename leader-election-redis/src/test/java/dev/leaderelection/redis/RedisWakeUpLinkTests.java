package dev.leaderelection.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.BackoffPolicy;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.Leadership;
import dev.leaderelection.LeadershipListener;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.StoreCallOutcome;
import dev.leaderelection.StoreOperation;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.store.WakeUps;
import dev.leaderelection.testing.redis.ProcessRedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The release wake-up is established with retry until it works and again after any loss: electors
 * that start before Redis answers, a Redis restart, a killed pub/sub connection. Each time, a
 * graceful stop of the leader reaches the follower through the wake-up, long before its next poll.
 */
class RedisWakeUpLinkTests {

    static final Duration LEASE = Duration.ofSeconds(3);
    static final ElectionTimings TIMINGS = ElectionTimings.builder()
            .leaseDuration(LEASE)
            .renewInterval(Duration.ofMillis(500))
            .operationTimeout(Duration.ofSeconds(1))
            .backoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(500), 2.0, 0.5))
            .build();
    static final String CHANNEL = "{wake:orders}:released";

    private final ProcessRedisServer redis = new ProcessRedisServer();
    private final List<Instance> instances = new ArrayList<>();

    /** One elector with the connections and threads a separate process would have. */
    final class Instance implements AutoCloseable {
        final LettuceConnectionFactory connections = LettuceFactories.connectedTo(redis);
        final RedisLeaseStore store = new RedisLeaseStore(connections, "wake");
        final ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(1, "wake-election-");
        final LeaseLeaderElector elector;
        final AtomicLong grantedAt = new AtomicLong();
        final AtomicLong lastPollAnsweredAt = new AtomicLong();

        Instance(String id) {
            elector = new RedisLeaderElector("orders", id, store, TIMINGS, scheduler);
            elector.addListener(new LeadershipListener() {
                @Override
                public void granted(Leadership leadership) {
                    grantedAt.set(System.nanoTime());
                }

                @Override
                public void storeCallCompleted(StoreOperation operation, StoreCallOutcome outcome, Duration latency) {
                    if (operation == StoreOperation.ACQUIRE && outcome == StoreCallOutcome.SUCCESS) {
                        lastPollAnsweredAt.set(System.nanoTime());
                    }
                }
            });
            store.start();
            elector.start();
        }

        WakeUps wakeUps() {
            return elector.status().wakeUps();
        }

        @Override
        public void close() {
            elector.stop();
            store.close();
            scheduler.close();
            connections.destroy();
        }
    }

    @AfterEach
    void stopEverything() {
        instances.forEach(Instance::close);
        redis.close();
    }

    @Test
    void electorsStartedBeforeRedisAnswersSubscribeOnceItDoes() {
        Instance first = start("app-1");
        Instance second = start("app-2");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        assertThat(List.of(first.wakeUps(), second.wakeUps())).containsOnly(WakeUps.RETRYING));

        redis.start();

        assertAGracefulStopReachesTheFollowerThroughTheWakeUp();
    }

    @Test
    void aRestartOfRedisIsFollowedByANewSubscription() {
        redis.start();
        start("app-1");
        start("app-2");
        awaitBothSubscribed();

        redis.kill();
        redis.start();

        assertAGracefulStopReachesTheFollowerThroughTheWakeUp();
    }

    @Test
    void aKilledPubSubConnectionIsFollowedByANewSubscription() {
        redis.start();
        start("app-1");
        start("app-2");
        awaitBothSubscribed();

        redis.command("CLIENT", "KILL", "TYPE", "pubsub");

        assertAGracefulStopReachesTheFollowerThroughTheWakeUp();
    }

    private void assertAGracefulStopReachesTheFollowerThroughTheWakeUp() {
        awaitBothSubscribed();
        await().atMost(LEASE.multipliedBy(5))
                .until(() ->
                        instances.stream().filter(i -> i.elector.isLeader()).count() == 1);
        Instance leader =
                instances.stream().filter(i -> i.elector.isLeader()).findFirst().orElseThrow();
        Instance follower =
                instances.stream().filter(i -> i != leader).findFirst().orElseThrow();
        // Stop right after the follower's poll: its next one is due in about a lease, not sooner.
        long polled = follower.lastPollAnsweredAt.get();
        await().atMost(LEASE.multipliedBy(2)).until(() -> follower.lastPollAnsweredAt.get() != polled);
        long stoppedAt = System.nanoTime();
        long nextPollNotBefore = stoppedAt
                + LEASE.minus(TIMINGS.renewInterval())
                        .minus(TIMINGS.operationTimeout())
                        .toNanos();

        leader.elector.stop();

        // The grant listener, not isLeader(): the listener runs just after leadership is set.
        await().atMost(LEASE.multipliedBy(2)).until(() -> follower.grantedAt.get() > stoppedAt);
        Duration handOff = Duration.ofNanos(follower.grantedAt.get() - stoppedAt);
        assertThat(follower.grantedAt.get())
                .as("granted %s ms after the stop, before the follower's poll would have fired", handOff.toMillis())
                .isLessThan(nextPollNotBefore);
        Figures.print("graceful hand-off through the wake-up", List.of(handOff.toMillis()));
    }

    private void awaitBothSubscribed() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(instances).extracting(Instance::wakeUps).containsOnly(WakeUps.SUBSCRIBED);
            assertThat(redis.command("PUBSUB", "NUMSUB", CHANNEL)).endsWith("\n" + instances.size());
        });
    }

    private Instance start(String id) {
        Instance instance = new Instance(id);
        instances.add(instance);
        return instance;
    }
}
