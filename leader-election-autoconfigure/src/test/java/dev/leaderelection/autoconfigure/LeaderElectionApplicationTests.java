package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.NotLeaderException;
import dev.leaderelection.RevocationReason;
import dev.leaderelection.annotation.LeaderOnly;
import dev.leaderelection.annotation.LeaderOnly.OnFollower;
import dev.leaderelection.event.LeadershipEvent;
import dev.leaderelection.event.LeadershipGrantedEvent;
import dev.leaderelection.event.LeadershipRevokedEvent;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/** Whole applications, each with its own context and connections, competing through a real Redis. */
class LeaderElectionApplicationTests {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeApplications() {
        contexts.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void eventsArriveInOrderAndAClosedLeaderHandsOverAtOnce() {
        ConfigurableApplicationContext first = start("app-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> elector(first).isLeader());
        ConfigurableApplicationContext second = start("app-2");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> "app-1".equals(elector(second).leaderId()));
        assertThat(events(second)).isEmpty();

        GuardedService firstService = service(first);
        long closedAt = System.nanoTime();
        first.close();

        await().atMost(Duration.ofSeconds(5)).until(() -> elector(second).isLeader());
        // Measured to the grant itself: closing the rest of the context (Redis client) takes its own time.
        long handOverMillis = (service(second).grantedAtNanos().get() - closedAt) / 1_000_000;
        assertThat(handOverMillis)
                .as("hand-over after close, well under the 1 s retry interval")
                .isLessThan(500);
        List<LeadershipEvent> firstEvents = List.copyOf(firstService.events());
        assertThat(firstEvents).hasSize(2);
        assertThat(firstEvents.get(0)).isInstanceOf(LeadershipGrantedEvent.class);
        assertThat(firstEvents.get(1)).isInstanceOfSatisfying(LeadershipRevokedEvent.class, revoked -> {
            assertThat(revoked.reason()).isEqualTo(RevocationReason.SHUTDOWN);
            assertThat(revoked.fencingToken()).isEqualTo(firstEvents.get(0).fencingToken());
        });
        assertThat(events(second)).singleElement().isInstanceOfSatisfying(LeadershipGrantedEvent.class, granted -> {
            assertThat(granted.instanceId()).isEqualTo("app-2");
            assertThat(granted.election()).isEqualTo("guarded");
            assertThat(granted.fencingToken()).isGreaterThan(firstEvents.get(0).fencingToken());
        });
    }

    @Test
    void leaderOnlyRunsOnTheLeaderAndSkipsOrThrowsOnAFollower() {
        ConfigurableApplicationContext leader = start("app-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> elector(leader).isLeader());
        ConfigurableApplicationContext follower = start("app-2");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> "app-1".equals(elector(follower).leaderId()));

        service(leader).work();
        service(follower).work();
        assertThat(service(leader).runs()).hasValue(1);
        assertThat(service(follower).runs()).hasValue(0);

        assertThat(service(leader).report()).isEqualTo("report by app-1");
        assertThatExceptionOfType(NotLeaderException.class)
                .isThrownBy(() -> service(follower).report())
                .satisfies(ex -> assertThat(ex.leaderId()).isEqualTo("app-1"));
        assertThatExceptionOfType(NotLeaderException.class)
                .isThrownBy(() -> service(follower).strict());
        assertThat(service(follower).lenient()).isNull();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> service(leader).ticks().get() >= 3);
        assertThat(service(follower).ticks()).hasValue(0);
    }

    @Test
    void leaderOnlyStopsAtOnceWhenTheLeaseIsLost() {
        ConfigurableApplicationContext leader = start("app-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> elector(leader).isLeader());

        redis.command("SET", "{leader-election:guarded}:lease", "0123abcd:operator", "PX", "60000");

        await().atMost(Duration.ofSeconds(5)).until(() -> events(leader).size() == 2);
        assertThat(events(leader).get(1))
                .isInstanceOfSatisfying(
                        LeadershipRevokedEvent.class,
                        revoked -> assertThat(revoked.reason()).isEqualTo(RevocationReason.LEASE_LOST));
        int ticksAtRevocation = service(leader).ticksWhenRevoked().get();
        service(leader).work();
        assertThat(service(leader).runs()).hasValue(0);
        assertThat(service(leader).ticks())
                .as("no scheduled run after the revocation")
                .hasValue(ticksAtRevocation);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> "operator".equals(elector(leader).leaderId()));
    }

    private ConfigurableApplicationContext start(String instanceId) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(GuardedApplication.class)
                .web(WebApplicationType.NONE)
                .properties(
                        "spring.data.redis.host=" + redis.server().host(),
                        "spring.data.redis.port=" + redis.server().port(),
                        "leader.election.name=guarded",
                        "leader.election.instance-id=" + instanceId,
                        "leader.election.lease-duration=2s",
                        "leader.election.renew-interval=500ms",
                        "leader.election.operation-timeout=300ms")
                .run();
        contexts.add(context);
        return context;
    }

    private static LeaderElector elector(ConfigurableApplicationContext context) {
        return context.getBean(LeaderElector.class);
    }

    private static GuardedService service(ConfigurableApplicationContext context) {
        return context.getBean(GuardedService.class);
    }

    private static List<LeadershipEvent> events(ConfigurableApplicationContext context) {
        return List.copyOf(context.getBean(GuardedService.class).events());
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableScheduling
    static class GuardedApplication {
        @Bean
        GuardedService guardedService(LeaderElector elector) {
            return new GuardedService(elector);
        }
    }

    static class GuardedService {
        final LeaderElector elector;
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger ticks = new AtomicInteger();
        final AtomicInteger ticksWhenRevoked = new AtomicInteger();
        final AtomicLong grantedAtNanos = new AtomicLong();
        final List<LeadershipEvent> events = new CopyOnWriteArrayList<>();

        GuardedService(LeaderElector elector) {
            this.elector = elector;
        }

        // The bean is a class proxy: tests read its state through methods, not fields.
        public AtomicInteger runs() {
            return runs;
        }

        public AtomicInteger ticks() {
            return ticks;
        }

        public AtomicInteger ticksWhenRevoked() {
            return ticksWhenRevoked;
        }

        public AtomicLong grantedAtNanos() {
            return grantedAtNanos;
        }

        public List<LeadershipEvent> events() {
            return events;
        }

        @LeaderOnly
        public void work() {
            runs.incrementAndGet();
        }

        @LeaderOnly
        public String report() {
            return "report by " + elector.instanceId();
        }

        @LeaderOnly(onFollower = OnFollower.THROW)
        public void strict() {}

        @LeaderOnly(onFollower = OnFollower.SKIP)
        public String lenient() {
            return "ran";
        }

        @Scheduled(fixedDelay = 20)
        @LeaderOnly
        public void tick() {
            ticks.incrementAndGet();
        }

        @EventListener
        public void on(LeadershipEvent event) {
            if (event instanceof LeadershipRevokedEvent) {
                ticksWhenRevoked.set(ticks.get());
            } else {
                grantedAtNanos.set(System.nanoTime());
            }
            events.add(event);
        }
    }
}
