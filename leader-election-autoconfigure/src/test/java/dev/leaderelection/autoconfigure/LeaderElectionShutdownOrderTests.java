package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.annotation.LeaderLifecycle;
import dev.leaderelection.event.LeadershipRevokedEvent;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Leadership is the first thing a closing application gives up: the elector steps down (revokes,
 * stops the {@link LeaderLifecycle} beans, releases the lease) at the context's {@link
 * ContextClosedEvent}, before the application's own listeners of that event and before lifecycles of
 * a lower phase, such as Spring Boot's web server and its graceful shutdown, begin to stop. Order
 * only, no timing.
 */
class LeaderElectionShutdownOrderTests {

    /** Spring Boot's {@code WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE}. */
    static final int GRACEFUL_SHUTDOWN_PHASE = Integer.MAX_VALUE - 1024;

    /** Spring Boot's {@code WebServerStartStopLifecycle} phase. */
    static final int WEB_SERVER_PHASE = GRACEFUL_SHUTDOWN_PHASE - 1024;

    static final String LEASE = "{leader-election:ordered}:lease";

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final List<String> order = new CopyOnWriteArrayList<>();

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    DataRedisAutoConfiguration.class,
                    LeaderElectionRedisAutoConfiguration.class,
                    LeaderElectionAutoConfiguration.class,
                    LeaderElectionAopAutoConfiguration.class))
            .withPropertyValues(
                    "spring.data.redis.host=" + redis.server().host(),
                    "spring.data.redis.port=" + redis.server().port(),
                    "leader.election.redis.restart-guard=false",
                    "leader.election.name=ordered",
                    "leader.election.lease-duration=2s",
                    "leader.election.renew-interval=500ms",
                    "leader.election.operation-timeout=300ms")
            .withBean(
                    "webServerGracefulShutdown",
                    WebServerLike.class,
                    () -> new WebServerLike("graceful shutdown", GRACEFUL_SHUTDOWN_PHASE, order))
            .withBean("webServer", WebServerLike.class, () -> new WebServerLike("web server", WEB_SERVER_PHASE, order))
            .withBean(LeaderScoped.class, () -> new LeaderScoped(order))
            .withBean(RevocationRecorder.class, () -> new RevocationRecorder(order))
            .withBean(ClosingRecorder.class, () -> new ClosingRecorder(order));

    @Test
    void closeShouldStepDownAndReleaseBeforeTheWebServerStops() {
        contextRunner.run(context -> {
            LeaderElector elector = context.getBean(LeaderElector.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> order.contains("leader-scoped started"));
            assertThat(elector.isLeader()).isTrue();
            assertThat(order)
                    .as("the electors start last, after the web server")
                    .containsExactly("web server started", "graceful shutdown started", "leader-scoped started");
            order.clear();
        });

        assertThat(order.subList(0, 2))
                .as("revoked, and the leader-scoped bean stopped while the lease was still held")
                .containsExactlyInAnyOrder("revoked SHUTDOWN", "leader-scoped stopped, lease held: 1");
        assertThat(order.subList(2, order.size()))
                .as("the application's own listeners of the close, then the web server's graceful shutdown"
                        + " and stop, begin after the release")
                .containsExactly(
                        "context closing, lease held: 0",
                        "graceful shutdown stopping, lease held: 0",
                        "web server stopping, lease held: 0");
    }

    @Test
    void closeWithoutReleaseShouldStillRevokeBeforeTheWebServerStops() {
        contextRunner
                .withPropertyValues("leader.election.release-on-shutdown=false")
                .run(context -> {
                    await().atMost(Duration.ofSeconds(5)).until(() -> order.contains("leader-scoped started"));
                    order.clear();
                });

        assertThat(order.subList(0, 2))
                .containsExactlyInAnyOrder("revoked SHUTDOWN", "leader-scoped stopped, lease held: 1");
        assertThat(order.subList(2, order.size()))
                .as("the lease is left to expire")
                .containsExactly(
                        "context closing, lease held: 1",
                        "graceful shutdown stopping, lease held: 1",
                        "web server stopping, lease held: 1");
        redis.command("DEL", LEASE);
    }

    static String leaseHeld() {
        return "lease held: " + redis.command("EXISTS", LEASE);
    }

    /** Stands for a lifecycle of Spring Boot's web server, in its phase. */
    static final class WebServerLike implements SmartLifecycle {
        private final String name;
        private final int phase;
        private final List<String> order;
        private volatile boolean running;

        WebServerLike(String name, int phase, List<String> order) {
            this.name = name;
            this.phase = phase;
            this.order = order;
        }

        @Override
        public void start() {
            order.add(name + " started");
            running = true;
        }

        @Override
        public void stop() {
            order.add(name + " stopping, " + leaseHeld());
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return phase;
        }
    }

    /** Runs on the leader only; in the default phase, as a user's bean would be. */
    @LeaderLifecycle
    static class LeaderScoped implements SmartLifecycle {
        private final List<String> order;
        private volatile boolean running;

        LeaderScoped(List<String> order) {
            this.order = order;
        }

        @Override
        public void start() {
            order.add("leader-scoped started");
            running = true;
        }

        @Override
        public void stop() {
            order.add("leader-scoped stopped, " + leaseHeld());
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }

    /** An application's own listener of the context's close, in the default order. */
    record ClosingRecorder(List<String> order) implements ApplicationListener<ContextClosedEvent> {
        @Override
        public void onApplicationEvent(ContextClosedEvent event) {
            order.add("context closing, " + leaseHeld());
        }
    }

    record RevocationRecorder(List<String> order) implements ApplicationListener<LeadershipRevokedEvent> {
        @Override
        public void onApplicationEvent(LeadershipRevokedEvent event) {
            order.add("revoked " + event.reason());
        }
    }
}
