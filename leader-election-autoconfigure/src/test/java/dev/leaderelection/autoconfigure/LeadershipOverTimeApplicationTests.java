package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.RevocationReason;
import dev.leaderelection.annotation.LeaderLifecycle;
import dev.leaderelection.event.LeaderChangedEvent;
import dev.leaderelection.event.LeadershipRevokedEvent;
import dev.leaderelection.testing.proxy.Direction;
import dev.leaderelection.testing.proxy.TcpProxy;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;

/**
 * Whole applications competing through a real Redis: a {@code @LeaderLifecycle} bean runs on one
 * of them at a time, followers hear of a hand-off from the grant announcement, and a cron
 * relinquish follows the real clock.
 */
class LeadershipOverTimeApplicationTests {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    /** How many {@link Component}s run right now, over every application of the test; at most one. */
    static final AtomicInteger running = new AtomicInteger();

    static final AtomicInteger mostAtOnce = new AtomicInteger();

    private final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeApplications() {
        contexts.forEach(ConfigurableApplicationContext::close);
        running.set(0);
        mostAtOnce.set(0);
        Component.stopTakes = Duration.ZERO;
    }

    @Test
    void aLeaderLifecycleBeanRunsOnExactlyOneInstanceAndMovesOnYieldAndOnCrash(TestInfo test) {
        List<ConfigurableApplicationContext> apps = new ArrayList<>();
        for (String id : List.of("app-1", "app-2", "app-3")) {
            apps.add(start(test, id, "leader.election.lease-duration=2s", "leader.election.release-on-shutdown=false"));
        }
        ConfigurableApplicationContext first = awaitTheComponentOnOneLeader(apps);

        elector(first).yieldLeadership();
        await().atMost(Duration.ofSeconds(5)).until(() -> !component(first).isRunning());
        ConfigurableApplicationContext second = awaitTheComponentOnOneLeader(apps);
        assertThat(second).isNotSameAs(first);

        // A crash, as the store sees it: the lease is left behind and must expire (release-on-shutdown=false).
        long crashedAt = System.nanoTime();
        second.close();
        apps.remove(second);
        ConfigurableApplicationContext third = awaitTheComponentOnOneLeader(apps);
        assertThat(Duration.ofNanos(System.nanoTime() - crashedAt))
                .as("taken over once the lease expired")
                .isGreaterThan(Duration.ofMillis(1_500));
        assertThat(third).isNotSameAs(second);
        assertThat(mostAtOnce).as("components running at once, at most").hasValue(1);
    }

    @Test
    void aLeaderLifecycleBeanStopsBeforeAnySuccessorStartsWhenTheLeaderLosesRedisReplies(TestInfo test) {
        try (TcpProxy proxy = new TcpProxy(redis.server().port())) {
            ConfigurableApplicationContext first =
                    start(test, "app-1", "spring.data.redis.port=" + proxy.port(), "leader.election.lease-duration=4s");
            await().atMost(Duration.ofSeconds(5)).until(() -> component(first).isRunning());
            ConfigurableApplicationContext second = start(test, "app-2", "leader.election.lease-duration=4s");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> "app-1".equals(elector(second).leaderId()));
            Component.stopTakes = Duration.ofMillis(1_000); // a session that takes its time to close

            proxy.hold(Direction.DOWNSTREAM); // the leader's renewals reach Redis; their replies never come

            // The renewal times out: an involuntary loss, released (through the proxy) well before the
            // lease would expire, but only once the bean has stopped.
            await().atMost(Duration.ofSeconds(3)).until(() -> component(second).isRunning());
            assertThat(component(first).isRunning()).isFalse();
            assertThat(mostAtOnce).as("components running at once, at most").hasValue(1);
            proxy.heal();
            first.close(); // while its Redis is still reachable: Lettuce would otherwise keep reconnecting
        }
    }

    @Test
    void followersHearOfAGracefulHandOffFromTheAnnouncementBeforeTheirPollWouldFire(TestInfo test) {
        // 30 s leases: a follower's own poll comes up to 30 s after the hand-off.
        String[] longLeases = {"leader.election.lease-duration=30s", "leader.election.renew-interval=5s"};
        ConfigurableApplicationContext leader = start(test, "app-1", longLeases);
        await().atMost(Duration.ofSeconds(5)).until(() -> elector(leader).isLeader());
        ConfigurableApplicationContext second = start(test, "app-2", longLeases);
        ConfigurableApplicationContext third = start(test, "app-3", longLeases);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Stream.of(second, third)
                        .allMatch(app -> "app-1".equals(elector(app).leaderId())));

        long closedAt = System.nanoTime();
        leader.close();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> Stream.of(second, third)
                        .allMatch(app -> observer(app).lastLeader() != null
                                && !"app-1".equals(observer(app).lastLeader().leaderId())));
        long learned = (System.nanoTime() - closedAt) / 1_000_000;
        ConfigurableApplicationContext newLeader = elector(second).isLeader() ? second : third;
        ConfigurableApplicationContext follower = newLeader == second ? third : second;
        LeaderChangedEvent heard = observer(follower).lastLeader();
        assertThat(heard.leaderId()).isEqualTo(elector(newLeader).instanceId());
        assertThat(heard.fencingToken())
                .as("the token comes with the grant announcement only")
                .isEqualTo(elector(newLeader).currentLeadership().orElseThrow().fencingToken());
        assertThat(observer(newLeader).lastLeader().isSelf()).isTrue();
        assertThat(Duration.ofMillis(learned)).isLessThan(Duration.ofSeconds(5));
        System.out.printf("FIGURE followers know the new leader after a graceful stop (lease 30 s): %d ms%n", learned);
    }

    @Test
    void aCronRelinquishEndsTermsAtTheCronsTimesOnTheRealClock(TestInfo test) {
        ConfigurableApplicationContext app = start(
                test,
                "app-1",
                "leader.election.lease-duration=2s",
                "leader.election.yield-cooldown=500ms",
                "leader.election.relinquish.cron=*/3 * * * * *",
                "leader.election.relinquish.zone=UTC");

        await().atMost(Duration.ofSeconds(15))
                .until(() -> observer(app).relinquishedAt().size() >= 2);
        assertThat(observer(app).relinquishedAt()).allSatisfy(at -> {
            long millisIntoPeriod = (at.getEpochSecond() % 3) * 1000 + at.get(ChronoField.MILLI_OF_SECOND);
            assertThat(millisIntoPeriod)
                    .as("ms after a multiple of 3 s, at %s", at)
                    .isLessThan(1_000);
        });
        // the only candidate takes leadership back after the cooldown
        await().atMost(Duration.ofSeconds(3)).until(() -> elector(app).isLeader());
    }

    private ConfigurableApplicationContext awaitTheComponentOnOneLeader(List<ConfigurableApplicationContext> apps) {
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        apps.stream().filter(app -> component(app).isRunning()).count() == 1);
        ConfigurableApplicationContext leader = apps.stream()
                .filter(app -> component(app).isRunning())
                .findFirst()
                .orElseThrow();
        assertThat(elector(leader).isLeader()).isTrue();
        return leader;
    }

    private ConfigurableApplicationContext start(TestInfo test, String instanceId, String... properties) {
        List<String> all = new ArrayList<>(List.of(
                "spring.data.redis.host=" + redis.server().host(),
                "spring.data.redis.port=" + redis.server().port(),
                "leader.election.redis.restart-guard=false",
                "leader.election.name=" + test.getTestMethod().orElseThrow().getName(),
                "leader.election.instance-id=" + instanceId,
                "leader.election.renew-interval=500ms",
                "leader.election.operation-timeout=300ms"));
        all.addAll(List.of(properties));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(OverTimeApplication.class)
                .web(WebApplicationType.NONE)
                .properties(all.toArray(String[]::new))
                .run();
        contexts.add(context);
        return context;
    }

    private static LeaderElector elector(ConfigurableApplicationContext context) {
        return context.getBean(LeaderElector.class);
    }

    private static Component component(ConfigurableApplicationContext context) {
        return context.getBean(Component.class);
    }

    private static Observer observer(ConfigurableApplicationContext context) {
        return context.getBean(Observer.class);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class OverTimeApplication {

        @Bean
        Component component() {
            return new Component();
        }

        @Bean
        Observer observer() {
            return new Observer();
        }
    }

    /** Counts itself in {@link #running} while it runs; read through its methods (it is proxied). */
    @LeaderLifecycle
    static class Component implements SmartLifecycle {
        /** How long {@link #stop()} runs before it counts itself out. */
        static volatile Duration stopTakes = Duration.ZERO;

        private volatile boolean started;

        @Override
        public void start() {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            started = true;
        }

        @Override
        public void stop() {
            if (started) {
                started = false;
                LockSupport.parkNanos(stopTakes.toNanos());
                running.decrementAndGet();
            }
        }

        @Override
        public boolean isRunning() {
            return started;
        }
    }

    static class Observer {
        private final List<LeaderChangedEvent> changes = new CopyOnWriteArrayList<>();
        private final List<Instant> relinquishedAt = new CopyOnWriteArrayList<>();

        @EventListener
        void on(LeaderChangedEvent event) {
            changes.add(event);
        }

        @EventListener
        void on(LeadershipRevokedEvent event) {
            if (event.reason() == RevocationReason.RELINQUISHED) {
                relinquishedAt.add(Instant.now());
            }
        }

        LeaderChangedEvent lastLeader() {
            return changes.stream()
                    .filter(event -> event.leaderId() != null)
                    .reduce((a, b) -> b)
                    .orElse(null);
        }

        List<Instant> relinquishedAt() {
            return relinquishedAt;
        }
    }
}
