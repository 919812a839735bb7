package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.BackoffPolicy;
import dev.leaderelection.ElectionScheduler;
import dev.leaderelection.ElectionState;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaderElector;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.NotLeaderException;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.annotation.LeaderOnly;
import dev.leaderelection.aop.LeaderOnlyBeanPostProcessor;
import dev.leaderelection.aop.LeaderOnlyInterceptor;
import dev.leaderelection.redis.RedisLeaderElector;
import dev.leaderelection.redis.RedisLeaseStore;
import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;

class LeaderElectionAutoConfigurationTests {

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
                    // These tests are about wiring and expect a leader within seconds of a fresh server's
                    // start; with the default 10 s lease the restart guard would hold grants back for 11 s.
                    "leader.election.redis.restart-guard=false");

    @Test
    void runShouldCreateARedisElectorThatStartsWithTheContext() {
        contextRunner.run(context -> {
            assertThat(context).hasSingleBean(RedisLeaderElector.class);
            assertThat(context).hasSingleBean(RedisLeaseStore.class);
            assertThat(context).hasSingleBean(LeaderElectionLifecycle.class);
            assertThat(context).hasSingleBean(LeaderOnlyBeanPostProcessor.class);
            LeaderElector elector = context.getBean(LeaderElector.class);
            await().atMost(Duration.ofSeconds(5)).until(elector::isLeader);
            assertThat(elector.election()).isEqualTo("default");
        });
    }

    @Test
    void runShouldReleaseTheLeaseWhenTheContextCloses() {
        contextRunner.withPropertyValues("leader.election.name=closing").run(context -> {
            LeaderElector elector = context.getBean(LeaderElector.class);
            await().atMost(Duration.ofSeconds(5)).until(elector::isLeader);
            assertThat(redis.command("EXISTS", "{leader-election:closing}:lease"))
                    .isEqualTo("1");
        });
        assertThat(redis.command("EXISTS", "{leader-election:closing}:lease")).isEqualTo("0");
    }

    @Test
    void runWithReleaseOnShutdownOffShouldLeaveTheLeaseToExpire() {
        contextRunner
                .withPropertyValues("leader.election.name=kept", "leader.election.release-on-shutdown=false")
                .run(context ->
                        await().atMost(Duration.ofSeconds(5)).until(context.getBean(LeaderElector.class)::isLeader));
        assertThat(redis.command("EXISTS", "{leader-election:kept}:lease")).isEqualTo("1");
    }

    @Test
    void runWhenDisabledShouldNotCreateElector() {
        contextRunner.withPropertyValues("leader.election.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(LeaderElector.class);
            assertThat(context).doesNotHaveBean(LeaseStore.class);
        });
    }

    @Test
    void runWhenDisabledShouldKeepGuardedMethodsFromRunning() {
        contextRunner
                .withPropertyValues("leader.election.enabled=false")
                .withBean(GuardedWork.class)
                .run(context -> {
                    assertThat(context).hasSingleBean(LeaderOnlyBeanPostProcessor.class);
                    GuardedWork work = context.getBean(GuardedWork.class);
                    work.run();
                    assertThat(work.runs()).isZero();
                    assertThatExceptionOfType(NotLeaderException.class)
                            .isThrownBy(work::report)
                            .satisfies(ex -> assertThat(ex.election()).isEqualTo(LeaderOnlyInterceptor.NO_ELECTION));
                });
    }

    @Test
    void runWithoutSpringDataRedisShouldNotCreateElector() {
        contextRunner
                .withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(LeaderElector.class);
                    assertThat(context).doesNotHaveBean(LeaseStore.class);
                });
    }

    @Test
    void runWithoutSpringDataRedisShouldKeepGuardedMethodsFromRunning() {
        contextRunner
                .withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
                .withBean(GuardedWork.class)
                .run(context -> {
                    GuardedWork work = context.getBean(GuardedWork.class);
                    work.run();
                    assertThat(work.runs()).isZero();
                });
    }

    @Test
    void runWithoutTheRedisStoreModuleShouldNotCreateElector() {
        contextRunner
                .withClassLoader(new FilteredClassLoader(RedisLeaseStore.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(LeaderElector.class);
                    assertThat(context).doesNotHaveBean(LeaseStore.class);
                });
    }

    @Test
    void runShouldCreateElectorsThroughTheRedisFactory() {
        contextRunner.run(context -> {
            LeaderElectorFactory factory = context.getBean(LeaderElectorFactory.class);
            try (ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(1, "factory-")) {
                assertThat(factory.create(
                                "other", "me", ElectionTimings.builder().build(), scheduler))
                        .isInstanceOf(RedisLeaderElector.class)
                        .satisfies(elector -> assertThat(elector.store()).isSameAs(context.getBean(LeaseStore.class)));
            }
        });
    }

    @Test
    void runWithAUserElectorFactoryShouldUseIt() {
        contextRunner
                .withBean(
                        LeaderElectorFactory.class,
                        () -> (election, instanceId, timings, scheduler) ->
                                new LeaseLeaderElector(election, "from-factory", new SilentStore(), timings, scheduler))
                .run(context -> assertThat(context.getBean(LeaderElector.class).instanceId())
                        .isEqualTo("from-factory"));
    }

    @Test
    void runShouldStartTheStoreBeforeTheElectorAndStopAndCloseItAfter() {
        RecordingStore store = new RecordingStore();
        contextRunner.withBean(LeaseStore.class, () -> store).run(context -> {
            assertThat(context).hasSingleBean(LeaseStoreLifecycle.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> store.calls.contains("subscribe"));
            assertThat(store.calls).containsExactly("start", "subscribe");
        });
        assertThat(store.calls).containsExactly("start", "subscribe", "unsubscribe", "stop", "close");
    }

    @Test
    void runShouldUseTheRedisKeyPrefix() {
        contextRunner
                .withPropertyValues("leader.election.redis.key-prefix=acme")
                .run(context -> assertThat(
                                context.getBean(RedisLeaseStore.class).keyPrefix())
                        .isEqualTo("acme"));
    }

    @Test
    void runWithTheDeprecatedKeyPrefixShouldStillUseIt() {
        contextRunner
                .withPropertyValues("leader.election.key-prefix=legacy")
                .run(context -> assertThat(
                                context.getBean(RedisLeaseStore.class).keyPrefix())
                        .isEqualTo("legacy"));
    }

    @Test
    void runWithBothKeyPrefixesShouldPreferTheRedisOne() {
        contextRunner
                .withPropertyValues(
                        "leader.election.key-prefix=legacy", "leader.election.redis.key-prefix=leader-election")
                .run(context -> assertThat(
                                context.getBean(RedisLeaseStore.class).keyPrefix())
                        .isEqualTo("leader-election"));
    }

    @Test
    void runWithoutAKeyPrefixShouldUseTheDefault() {
        contextRunner.run(
                context -> assertThat(context.getBean(RedisLeaseStore.class).keyPrefix())
                        .isEqualTo(RedisLeaseStore.DEFAULT_KEY_PREFIX));
    }

    @Test
    void runWithAUserElectorShouldBackOffButStillManageIt() {
        try (ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(1, "user-")) {
            LeaderElector userElector = new LeaseLeaderElector(
                    "mine", "me", new SilentStore(), ElectionTimings.builder().build(), scheduler);
            contextRunner.withBean(LeaderElector.class, () -> userElector).run(context -> {
                assertThat(context).getBean(LeaderElector.class).isSameAs(userElector);
                assertThat(context).hasSingleBean(LeaderElectionLifecycle.class);
                await().atMost(Duration.ofSeconds(5)).until(() -> userElector.state() != ElectionState.STOPPED);
            });
            assertThat(userElector.state()).isEqualTo(ElectionState.STOPPED);
        }
    }

    @Test
    void runWithAUserStoreShouldBackOffAndUseIt() {
        contextRunner.withBean(LeaseStore.class, SilentStore::new).run(context -> {
            assertThat(context).doesNotHaveBean(RedisLeaseStore.class);
            assertThat(context).getBean(LeaderElector.class).isExactlyInstanceOf(LeaseLeaderElector.class);
            assertThat(((LeaseLeaderElector) context.getBean(LeaderElector.class)).store())
                    .isInstanceOf(SilentStore.class);
        });
    }

    @Test
    void runWithAUserSchedulerShouldUseIt() {
        try (ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(1, "user-")) {
            contextRunner.withBean(ElectionScheduler.class, () -> scheduler).run(context -> {
                assertThat(context).getBean(ElectionScheduler.class).isSameAs(scheduler);
                await().atMost(Duration.ofSeconds(5)).until(context.getBean(LeaderElector.class)::isLeader);
            });
        }
    }

    @Test
    void runShouldBindEveryProperty() {
        contextRunner
                .withPropertyValues(
                        "leader.election.name=billing",
                        "leader.election.instance-id=billing-1",
                        "leader.election.redis.key-prefix=acme",
                        "leader.election.lease-duration=4s",
                        "leader.election.renew-interval=1s",
                        "leader.election.operation-timeout=500ms",
                        "leader.election.drift-margin=50ms",
                        "leader.election.retry-interval=2s",
                        "leader.election.yield-cooldown=6s",
                        "leader.election.backoff.initial=20ms",
                        "leader.election.backoff.max=2s",
                        "leader.election.backoff.multiplier=3",
                        "leader.election.backoff.jitter=0.25")
                .run(context -> {
                    LeaseLeaderElector elector = context.getBean(LeaseLeaderElector.class);
                    assertThat(elector.election()).isEqualTo("billing");
                    assertThat(elector.instanceId()).isEqualTo("billing-1");
                    assertThat(context.getBean(RedisLeaseStore.class).keyPrefix())
                            .isEqualTo("acme");
                    assertThat(elector.timings())
                            .isEqualTo(new ElectionTimings(
                                    Duration.ofSeconds(4),
                                    Duration.ofSeconds(1),
                                    Duration.ofMillis(500),
                                    Duration.ofMillis(50),
                                    Duration.ofSeconds(2),
                                    Duration.ofSeconds(6),
                                    new BackoffPolicy(Duration.ofMillis(20), Duration.ofSeconds(2), 3.0, 0.25)));
                });
    }

    @Test
    void runShouldPassTheRestartGuardToTheStoreAndTurnItOnByDefault() {
        assertThat(new LeaderElectionProperties().getRedis().isRestartGuard()).isTrue();
        contextRunner.run(
                context -> assertThat(context.getBean(RedisLeaseStore.class).restartGuard())
                        .isFalse());
        contextRunner
                .withPropertyValues("leader.election.redis.restart-guard=true")
                .run(context -> assertThat(
                                context.getBean(RedisLeaseStore.class).restartGuard())
                        .isTrue());
    }

    @Test
    void runShouldPassMinReplicasAckedToTheStoreAndLeaveItOffByDefault() {
        assertThat(new LeaderElectionProperties().getRedis().getMinReplicasAcked())
                .isZero();
        contextRunner.run(
                context -> assertThat(context.getBean(RedisLeaseStore.class).minReplicasAcked())
                        .isZero());
        // No replica here: the store is built, and grants fail closed at runtime (RedisReplicaAcknowledgementTests).
        contextRunner
                .withPropertyValues("leader.election.redis.min-replicas-acked=1")
                .run(context -> assertThat(
                                context.getBean(RedisLeaseStore.class).minReplicasAcked())
                        .isEqualTo(1));
    }

    @Test
    void runWithNegativeMinReplicasAckedShouldFailWithTheProperty() {
        assertStartupFailure(
                new String[] {"leader.election.redis.min-replicas-acked=-1"},
                "Invalid leader election configuration: leader.election.redis.min-replicas-acked (-1) must be 0 "
                        + "(no replica acknowledges grants and renewals) or more",
                "Review the value of the property 'leader.election.redis.min-replicas-acked' in your configuration.");
    }

    @Test
    void replicaWaitTimeoutShouldBeHalfTheSmallestOperationTimeout() {
        LeaderElectionProperties properties = new LeaderElectionProperties();
        assertThat(LeaderElectionRedisAutoConfiguration.replicaWaitTimeout(properties))
                .isEqualTo(Duration.ofMillis(500));
        LeaderElectionProperties.Election quick = new LeaderElectionProperties.Election();
        quick.setOperationTimeout(Duration.ofMillis(300));
        properties.getElections().put("quick", quick);
        assertThat(LeaderElectionRedisAutoConfiguration.replicaWaitTimeout(properties))
                .isEqualTo(Duration.ofMillis(150));
    }

    @Test
    void runShouldNameTheElectionAfterTheApplicationAndDeriveTheDefaults() {
        contextRunner.withPropertyValues("spring.application.name=orders").run(context -> {
            LeaseLeaderElector elector = context.getBean(LeaseLeaderElector.class);
            assertThat(elector.election()).isEqualTo("orders");
            assertThat(elector.instanceId())
                    .matches(".+-" + ProcessHandle.current().pid() + "-[0-9a-f]{4}");
            assertThat(elector.timings()).isEqualTo(ElectionTimings.builder().build());
            assertThat(elector.timings().driftMargin()).isEqualTo(Duration.ofMillis(105));
        });
    }

    @Test
    void runWithALeaseTooShortForTheRenewalShouldFailWithTheProperties() {
        assertStartupFailure(
                new String[] {"leader.election.lease-duration=3s", "leader.election.renew-interval=3s"},
                "Invalid leader election configuration: leader.election.lease-duration (3s) must be greater than "
                        + "leader.election.renew-interval (3s) + leader.election.operation-timeout (1s) + "
                        + "leader.election.drift-margin (35ms) = 4035ms, so that a renewal can finish before the lease ends",
                "Review the values of the properties 'leader.election.lease-duration', 'leader.election.renew-interval', "
                        + "'leader.election.operation-timeout', 'leader.election.drift-margin' in your configuration.");
    }

    @Test
    void runWithANegativeDurationShouldFail() {
        assertStartupFailure(
                new String[] {"leader.election.operation-timeout=-1s"},
                "Invalid leader election configuration: leader.election.operation-timeout (-1s) must be positive",
                "Review the value of the property 'leader.election.operation-timeout' in your configuration.");
    }

    @Test
    void runWithAnElectionNameThatBreaksTheKeyLayoutShouldFail() {
        assertStartupFailure(
                new String[] {"leader.election.name=orders queue"},
                "Invalid leader election configuration: leader.election.name ('orders queue') must be non-empty and use "
                        + "only letters, digits, '.', '_', ':' and '-', so that it fits the store's key layout",
                "Review the value of the property 'leader.election.name' in your configuration.");
    }

    @Test
    void runWithAKeyPrefixThatBreaksTheKeyLayoutShouldFail() {
        assertStartupFailure(
                new String[] {"leader.election.key-prefix=app{1}"},
                "Invalid leader election configuration: leader.election.key-prefix ('app{1}') must be non-empty and use "
                        + "only letters, digits, '.', '_', ':' and '-', so that it fits the store's key layout",
                "Review the value of the property 'leader.election.key-prefix' in your configuration.");
    }

    @Test
    void runWithARedisKeyPrefixThatBreaksTheKeyLayoutShouldFail() {
        assertStartupFailure(
                new String[] {"leader.election.redis.key-prefix=app{1}"},
                "Invalid leader election configuration: leader.election.redis.key-prefix ('app{1}') must be non-empty "
                        + "and use only letters, digits, '.', '_', ':' and '-', so that it fits the store's key layout",
                "Review the value of the property 'leader.election.redis.key-prefix' in your configuration.");
    }

    @Test
    void runWithAnElectionNameTheStoreRejectsShouldFailWithTheStoresReason() {
        contextRunner
                .withBean(LeaseStore.class, LowerCaseStore::new)
                .withPropertyValues("leader.election.name=Orders")
                .run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = new LeaderElectionFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription())
                            .isEqualTo("Invalid leader election configuration: leader.election.name ('Orders') must "
                                    + "be lower case, so that it fits the store's key layout");
                });
    }

    @Test
    void runWithJitterAboveOneShouldFail() {
        assertStartupFailure(
                new String[] {"leader.election.backoff.jitter=1.5"},
                "Invalid leader election configuration: leader.election.backoff.jitter (1.5) must be between 0 and 1",
                "Review the value of the property 'leader.election.backoff.jitter' in your configuration.");
    }

    @Test
    void runWithABackoffMaxBelowTheInitialWaitShouldFail() {
        assertStartupFailure(
                new String[] {"leader.election.backoff.initial=2s", "leader.election.backoff.max=1s"},
                "Invalid leader election configuration: leader.election.backoff.max (1s) must not be less than "
                        + "leader.election.backoff.initial (2s)",
                "Review the values of the properties 'leader.election.backoff.max', 'leader.election.backoff.initial' "
                        + "in your configuration.");
    }

    private void assertStartupFailure(String[] properties, String description, String action) {
        contextRunner.withPropertyValues(properties).run((AssertableApplicationContext context) -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new LeaderElectionFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).isEqualTo(description);
            assertThat(analysis.getAction()).isEqualTo(action);
        });
    }

    /** A store that only takes lower-case election names. */
    static final class LowerCaseStore extends SilentStore {
        @Override
        public void checkElectionName(String election) {
            if (!election.equals(election.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("must be lower case");
            }
        }
    }

    /** A store that records its lifecycle and its release subscriptions. */
    static final class RecordingStore extends SilentStore {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public Subscription subscribe(String election, LeaseChangeListener listener) {
            calls.add("subscribe");
            return () -> calls.add("unsubscribe");
        }

        @Override
        public void start() {
            calls.add("start");
        }

        @Override
        public void stop() {
            calls.add("stop");
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    /** A store that never answers: enough to show which store the elector was given. */
    static class SilentStore implements LeaseStore {
        @Override
        public CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl) {
            return new CompletableFuture<>();
        }

        @Override
        public CompletionStage<Boolean> renew(String election, LeaseToken token, Duration ttl) {
            return new CompletableFuture<>();
        }

        @Override
        public CompletionStage<Boolean> release(String election, LeaseToken token) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletionStage<Optional<LeaseHolder>> inspect(String election) {
            return new CompletableFuture<>();
        }

        @Override
        public String kind() {
            return "silent";
        }
    }

    /** Work that only the leader may do; public so that a proxy class from another class loader sees it. */
    public static class GuardedWork {

        private final AtomicInteger runs = new AtomicInteger();

        public int runs() {
            return runs.get();
        }

        @LeaderOnly
        public void run() {
            runs.incrementAndGet();
        }

        @LeaderOnly
        public String report() {
            runs.incrementAndGet();
            return "report";
        }
    }
}
