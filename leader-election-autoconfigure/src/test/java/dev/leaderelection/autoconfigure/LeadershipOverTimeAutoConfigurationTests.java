package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.LeaderElectors;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.RelinquishSchedule;
import dev.leaderelection.actuate.LeaderEndpoint;
import dev.leaderelection.annotation.LeaderLifecycle;
import dev.leaderelection.event.LeaderChangedEvent;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;

/** Relinquish settings, {@code @LeaderLifecycle}, {@link LeaderChangedEvent} and the candidates, wired. */
class LeadershipOverTimeAutoConfigurationTests {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

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
                    "leader.election.lease-duration=2s",
                    "leader.election.renew-interval=500ms",
                    "leader.election.operation-timeout=300ms");

    @Test
    void runWithRelinquishIntervalShouldRelinquishOnThatInterval() {
        contextRunner
                .withPropertyValues("leader.election.name=interval", "leader.election.relinquish.interval=90s")
                .run(context -> assertThat(timings(context.getBean(LeaderElector.class)))
                        .isEqualTo(RelinquishSchedule.every(Duration.ofSeconds(90))));
    }

    @Test
    void runWithCronAndIntervalShouldRelinquishOnTheCronInItsZone() {
        contextRunner
                .withPropertyValues(
                        "leader.election.name=cron",
                        "leader.election.relinquish.interval=90s",
                        "leader.election.relinquish.cron=0 0 3 * * *",
                        "leader.election.relinquish.zone=Europe/Paris")
                .run(context -> assertThat(timings(context.getBean(LeaderElector.class)))
                        .isInstanceOfSatisfying(CronRelinquishSchedule.class, cron -> {
                            assertThat(cron.zone()).isEqualTo(ZoneId.of("Europe/Paris"));
                            assertThat(cron.termLength(Instant.parse("2026-11-30T01:59:00Z")))
                                    .hasValue(Duration.ofMinutes(1));
                        }));
    }

    @Test
    void runWithAFurtherElectionShouldTakeItsOwnRelinquishOrTheTopLevelOne() {
        contextRunner
                .withPropertyValues(
                        "leader.election.name=main",
                        "leader.election.relinquish.cron=0 0 * * * *",
                        "leader.election.elections.reports.relinquish.interval=2m",
                        "leader.election.elections.audit.lease-duration=3s")
                .run(context -> {
                    LeaderElectors electors = context.getBean(LeaderElectors.class);
                    assertThat(timings(electors.get("reports")))
                            .isEqualTo(RelinquishSchedule.every(Duration.ofMinutes(2)));
                    assertThat(timings(electors.get("audit"))).isInstanceOf(CronRelinquishSchedule.class);
                    assertThat(timings(electors.get("main"))).isInstanceOf(CronRelinquishSchedule.class);
                });
    }

    @Test
    void runWithAnInvalidCronShouldFailNamingTheProperty() {
        contextRunner
                .withPropertyValues("leader.election.elections.reports.relinquish.cron=every hour")
                .run(context -> assertThat(invalidProperties(context.getStartupFailure()))
                        .satisfies(ex -> {
                            assertThat(ex.getMessage())
                                    .startsWith(
                                            "leader.election.elections.reports.relinquish.cron ('every hour') is not a valid cron expression");
                            assertThat(ex.properties())
                                    .containsExactly("leader.election.elections.reports.relinquish.cron");
                        }));
    }

    @Test
    void runWithAnIntervalShorterThanThreeRenewIntervalsShouldFailNamingTheProperties() {
        contextRunner
                .withPropertyValues("leader.election.relinquish.interval=1s")
                .run(context -> assertThat(invalidProperties(context.getStartupFailure()))
                        .satisfies(ex -> {
                            assertThat(ex.getMessage())
                                    .isEqualTo(
                                            "leader.election.relinquish.interval (1s) must be at least 3 x leader.election.renew-interval (500ms) = 1500ms, so that a term renews a few times before it is given up");
                            assertThat(ex.properties())
                                    .containsExactly(
                                            "leader.election.relinquish.interval", "leader.election.renew-interval");
                        }));
    }

    @Test
    void aLeaderLifecycleBeanStartsOnTheGrantAndStopsBeforeTheReleaseOnAYield() {
        contextRunner
                .withPropertyValues("leader.election.name=lifecycle")
                .withBean(Component.class)
                .run(context -> {
                    Component component = context.getBean(Component.class);
                    LeaderElector elector = context.getBean(LeaderElector.class);
                    assertThat(component.isAutoStartup())
                            .as("through the proxy")
                            .isFalse();
                    await().atMost(Duration.ofSeconds(5)).until(elector::isLeader);
                    await().atMost(Duration.ofSeconds(5)).until(component::isRunning);

                    component.holdStop();
                    elector.yieldLeadership();
                    await().atMost(Duration.ofSeconds(5)).until(component::stopCalled);
                    assertThat(redis.command("EXISTS", "{leader-election:lifecycle}:lease"))
                            .as("held while the bean stops")
                            .isEqualTo("1");
                    component.releaseStop();
                    await().atMost(Duration.ofSeconds(5))
                            .until(() -> redis.command("EXISTS", "{leader-election:lifecycle}:lease")
                                    .equals("0"));
                    assertThat(component.isRunning()).isFalse();

                    // the only candidate takes leadership back after the cooldown (the lease, 2 s)
                    await().atMost(Duration.ofSeconds(6)).until(component::isRunning);
                    assertThat(component.starts()).hasSize(2);
                });
    }

    @Test
    void aLeaderLifecycleBeanOfAnUnknownElectionFailsStartup() {
        contextRunner
                .withBean(ComponentOfAnUnknownElection.class)
                .run(context -> assertThat(context)
                        .getFailure()
                        .isInstanceOf(BeanInitializationException.class)
                        .hasMessageContaining("@LeaderLifecycle(election = \"nowhere\")"));
    }

    @Test
    void theLeaderHearsLeaderChangedEventsAboutItselfAndTheEndpointListsItAsCandidate() {
        contextRunner
                .withPropertyValues("leader.election.name=observed", "leader.election.instance-id=app-1")
                .withBean(Observer.class)
                .run(context -> {
                    LeaderElector elector = context.getBean(LeaderElector.class);
                    await().atMost(Duration.ofSeconds(5)).until(elector::isLeader);
                    Observer observer = context.getBean(Observer.class);
                    await().atMost(Duration.ofSeconds(5)).until(() -> !observer.events.isEmpty());
                    LeaderChangedEvent event = observer.events.get(0);
                    assertThat(event.leaderId()).isEqualTo("app-1");
                    assertThat(event.isSelf()).isTrue();
                    assertThat(event.fencingToken())
                            .isEqualTo(elector.currentLeadership().orElseThrow().fencingToken());

                    LeaderEndpoint.LeaderDescriptor described =
                            new LeaderEndpoint(context.getBean(LeaderElectors.class)).leader();
                    assertThat(described.candidates()).singleElement().satisfies(candidate -> {
                        assertThat(candidate.instanceId()).isEqualTo("app-1");
                        assertThat(candidate.role()).isEqualTo("LEADER");
                        assertThat(candidate.lastSeen()).isBetween(Instant.now().minusSeconds(5), Instant.now());
                    });
                });
    }

    private static InvalidLeaderElectionPropertiesException invalidProperties(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidLeaderElectionPropertiesException invalid) {
                return invalid;
            }
        }
        throw new AssertionError("no InvalidLeaderElectionPropertiesException in", failure);
    }

    private static RelinquishSchedule timings(LeaderElector elector) {
        return ((LeaseLeaderElector) elector).timings().relinquish();
    }

    /** Read through its methods only: the bean is a proxy, whose own fields are never set. */
    @LeaderLifecycle
    static class Component implements SmartLifecycle {
        private final List<Instant> starts = new CopyOnWriteArrayList<>();
        private final CountDownLatch stopCalls = new CountDownLatch(1);
        private volatile CountDownLatch stopping = new CountDownLatch(0);
        private volatile boolean running;

        public List<Instant> starts() {
            return starts;
        }

        public boolean stopCalled() {
            return stopCalls.getCount() == 0;
        }

        public void holdStop() {
            stopping = new CountDownLatch(1);
        }

        public void releaseStop() {
            stopping.countDown();
        }

        @Override
        public void start() {
            starts.add(Instant.now());
            running = true;
        }

        @Override
        public void stop() {
            stopCalls.countDown();
            try {
                stopping.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }

    @LeaderLifecycle(election = "nowhere")
    static class ComponentOfAnUnknownElection extends Component {}

    static class Observer {
        final List<LeaderChangedEvent> events = new CopyOnWriteArrayList<>();

        @EventListener
        void on(LeaderChangedEvent event) {
            events.add(event);
        }
    }
}
