package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.annotation.LeaderOnly;
import dev.leaderelection.testing.redis.RedisServerExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * A voluntary step-down (yield, or closing the application as SIGTERM does) releases the lease only
 * once the guarded job of the old term has returned: the successor's first run starts after it.
 * Whole applications on a real Redis; the job takes 1.5 s and ignores interrupts.
 */
class GuardedCallDrainTests {

    static final Duration JOB = Duration.ofMillis(1_500);

    /** Every run of the job in this JVM, by every application. */
    static final List<Run> runs = new CopyOnWriteArrayList<>();

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();

    record Run(String instance, long startedAt, long endedAt) {}

    @AfterEach
    void closeApplications() {
        contexts.forEach(ConfigurableApplicationContext::close);
        runs.clear();
    }

    @Test
    void yieldReleasesOnlyAfterTheGuardedJobInFlightReturned() {
        ConfigurableApplicationContext first = startLeader("app-1");
        ConfigurableApplicationContext second = startFollowerOf("app-1", "app-2");
        long jobStarted = awaitJobRunningOn("app-1");

        elector(first).yieldLeadership();
        long yieldReturnedAt = System.nanoTime(); // the term, and the drain with it, began before this

        assertThat(elector(first).isLeader()).as("leadership ends at once").isFalse();
        Run successorsFirst = awaitFirstRunOf("app-2");
        Run oldJob = runOf("app-1", jobStarted);
        assertThat(successorsFirst.startedAt())
                .as("the successor's first run starts after the old leader's job returned")
                .isGreaterThanOrEqualTo(oldJob.endedAt());
        Timer drainWait = meters(first).get("leader.election.drain.wait").timer();
        assertThat(drainWait.count()).isEqualTo(1);
        long waited = (long) drainWait.totalTime(TimeUnit.NANOSECONDS);
        assertThat(waited)
                .as("waited from the yield until the job returned")
                .isBetween(oldJob.endedAt() - yieldReturnedAt, JOB.toNanos());
        assertThat(elector(second).isLeader()).isTrue();
    }

    @Test
    void closingTheApplicationReleasesOnlyAfterTheGuardedJobInFlightReturned() {
        ConfigurableApplicationContext first = startLeader("app-1");
        startFollowerOf("app-1", "app-2");
        long jobStarted = awaitJobRunningOn("app-1");

        first.close(); // what SIGTERM does

        Run successorsFirst = awaitFirstRunOf("app-2");
        assertThat(successorsFirst.startedAt())
                .as("the successor's first run starts after the old leader's job returned")
                .isGreaterThanOrEqualTo(runOf("app-1", jobStarted).endedAt());
    }

    private long awaitJobRunningOn(String instance) {
        await().atMost(Duration.ofSeconds(5))
                .until(() -> SlowJob.runningOn(instance).isPresent());
        return SlowJob.runningOn(instance).orElseThrow();
    }

    private static Run awaitFirstRunOf(String instance) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> runs.stream().anyMatch(run -> run.instance().equals(instance)));
        return runs.stream()
                .filter(run -> run.instance().equals(instance))
                .findFirst()
                .orElseThrow();
    }

    private static Run runOf(String instance, long startedAt) {
        return runs.stream()
                .filter(run -> run.instance().equals(instance) && run.startedAt() == startedAt)
                .findFirst()
                .orElseThrow();
    }

    private ConfigurableApplicationContext startLeader(String id) {
        ConfigurableApplicationContext context = start(id);
        await().atMost(Duration.ofSeconds(5)).until(() -> elector(context).isLeader());
        return context;
    }

    private ConfigurableApplicationContext startFollowerOf(String leaderId, String id) {
        ConfigurableApplicationContext context = start(id);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> leaderId.equals(elector(context).leaderId()));
        return context;
    }

    private ConfigurableApplicationContext start(String instanceId) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(DrainedApplication.class)
                .web(WebApplicationType.NONE)
                .properties(
                        "spring.data.redis.host=" + redis.server().host(),
                        "spring.data.redis.port=" + redis.server().port(),
                        "leader.election.name=drained",
                        "leader.election.instance-id=" + instanceId,
                        // roomy for a busy machine: the job must not outlast the term
                        "leader.election.lease-duration=4s",
                        "leader.election.renew-interval=500ms",
                        "leader.election.operation-timeout=1s")
                .run();
        contexts.add(context);
        return context;
    }

    private static LeaderElector elector(ConfigurableApplicationContext context) {
        return context.getBean(LeaderElector.class);
    }

    private static MeterRegistry meters(ConfigurableApplicationContext context) {
        return context.getBean(MeterRegistry.class);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableScheduling
    static class DrainedApplication {
        @Bean
        SlowJob slowJob(LeaderElector elector) {
            return new SlowJob(elector.instanceId());
        }
    }

    static class SlowJob {
        /** Instance to the start of its run in progress. */
        private static final Map<String, Long> running = new ConcurrentHashMap<>();

        private final String instance;

        SlowJob(String instance) {
            this.instance = instance;
        }

        static Optional<Long> runningOn(String instance) {
            return Optional.ofNullable(running.get(instance));
        }

        /** The guarded work: 1.5 s that no interrupt cuts short, as much real work behaves. */
        @Scheduled(fixedDelay = 10)
        @LeaderOnly
        public void run() {
            long startedAt = System.nanoTime();
            running.put(instance, startedAt);
            long end = startedAt + JOB.toNanos();
            for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
            runs.add(new Run(instance, startedAt, System.nanoTime()));
            running.remove(instance);
        }
    }
}
