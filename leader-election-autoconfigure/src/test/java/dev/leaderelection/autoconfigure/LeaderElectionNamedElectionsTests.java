package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.BackoffPolicy;
import dev.leaderelection.ElectionScheduler;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaderElector;
import dev.leaderelection.LeaderElectors;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.NotLeaderException;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.annotation.LeaderOnly;
import dev.leaderelection.autoconfigure.LeaderElectionAutoConfigurationTests.SilentStore;
import dev.leaderelection.event.LeadershipGrantedEvent;
import dev.leaderelection.redis.RedisLeaderElector;
import dev.leaderelection.redis.RedisLeaseStore;
import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;

/** Further elections ({@code leader.election.elections.<name>.*}) in one application, on a real Redis. */
class LeaderElectionNamedElectionsTests {

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
                    "leader.election.redis.restart-guard=false");

    @Test
    void runWithoutFurtherElectionsShouldHaveTheDefaultElectionOnly() {
        contextRunner.withPropertyValues("leader.election.name=solo").run(context -> {
            LeaderElectors electors = context.getBean(LeaderElectors.class);
            assertThat(electors.names()).containsExactly("solo");
            assertThat(electors.defaultElector()).isSameAs(context.getBean(LeaderElector.class));
            assertThat(electors.hasSeveral()).isFalse();
        });
    }

    @Test
    void runWithFurtherElectionsShouldCreateARedisElectorPerElectionOnTheOneStore() {
        {
            contextRunner
                    .withPropertyValues(
                            "leader.election.name=main",
                            "leader.election.instance-id=node-1",
                            "leader.election.elections.orders.lease-duration=5s",
                            "leader.election.elections.reports.lease-duration=6s")
                    .run(context -> {
                        assertThat(context).hasSingleBean(LeaderElector.class);
                        LeaderElectors electors = context.getBean(LeaderElectors.class);
                        assertThat(electors.names()).containsExactly("main", "orders", "reports");
                        assertThat(electors.defaultElector()).isSameAs(context.getBean(LeaderElector.class));
                        LeaseStore store = context.getBean(LeaseStore.class);
                        for (LeaderElector elector : electors.all()) {
                            assertThat(elector).isInstanceOf(RedisLeaderElector.class);
                            assertThat(((LeaseLeaderElector) elector).store()).isSameAs(store);
                            assertThat(elector.instanceId()).isEqualTo("node-1");
                        }
                        assertThat(context).hasSingleBean(RedisLeaseStore.class);
                        await().atMost(Duration.ofSeconds(5))
                                .until(() -> electors.all().stream().allMatch(LeaderElector::isLeader));
                        assertThat(redis.command("EXISTS", "{leader-election:reports}:lease"))
                                .isEqualTo("1");
                    });
        }
    }

    @Test
    void runWithFurtherElectionsShouldRunEveryElectorOnTheSharedScheduler() {
        try (ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(2, "shared-scheduler-")) {
            List<String> grantThreads = new CopyOnWriteArrayList<>();
            List<String> grantedElections = new CopyOnWriteArrayList<>();
            contextRunner
                    .withBean(ElectionScheduler.class, () -> scheduler)
                    .withBean(
                            "grants",
                            ApplicationListener.class,
                            () -> (ApplicationListener<LeadershipGrantedEvent>) event -> {
                                grantThreads.add(Thread.currentThread().getName());
                                grantedElections.add(event.election());
                            })
                    .withPropertyValues(
                            "leader.election.name=main",
                            "leader.election.elections.orders.lease-duration=5s",
                            "leader.election.elections.reports.lease-duration=6s")
                    .run(context -> {
                        await().atMost(Duration.ofSeconds(5)).until(() -> grantedElections.size() == 3);
                        assertThat(grantedElections).containsExactlyInAnyOrder("main", "orders", "reports");
                        assertThat(grantThreads).allMatch(name -> name.startsWith("shared-scheduler-"));
                    });
        }
    }

    @Test
    void runWithFurtherElectionsShouldInheritUnsetTimingsAndTakeTheirOwn() {
        contextRunner
                .withPropertyValues(
                        "leader.election.name=main",
                        "leader.election.lease-duration=8s",
                        "leader.election.renew-interval=2s",
                        "leader.election.retry-interval=700ms",
                        "leader.election.backoff.max=3s",
                        "leader.election.elections.orders.lease-duration=4s",
                        "leader.election.elections.orders.renew-interval=1s",
                        "leader.election.elections.orders.operation-timeout=500ms",
                        "leader.election.elections.orders.yield-cooldown=9s",
                        "leader.election.elections.orders.backoff.initial=20ms",
                        "leader.election.elections.orders.backoff.jitter=0.1",
                        "leader.election.elections.reports.drift-margin=40ms")
                .run(context -> {
                    LeaderElectors electors = context.getBean(LeaderElectors.class);
                    assertThat(timings(electors.get("main")))
                            .isEqualTo(new ElectionTimings(
                                    Duration.ofSeconds(8),
                                    Duration.ofSeconds(2),
                                    Duration.ofSeconds(1),
                                    Duration.ofMillis(85),
                                    Duration.ofMillis(700),
                                    Duration.ofSeconds(8),
                                    new BackoffPolicy(Duration.ofMillis(100), Duration.ofSeconds(3), 2.0, 0.5)));
                    assertThat(timings(electors.get("orders")))
                            .as("its own values, the others from leader.election.*; drift margin from its own lease")
                            .isEqualTo(new ElectionTimings(
                                    Duration.ofSeconds(4),
                                    Duration.ofSeconds(1),
                                    Duration.ofMillis(500),
                                    Duration.ofMillis(45),
                                    Duration.ofMillis(700),
                                    Duration.ofSeconds(9),
                                    new BackoffPolicy(Duration.ofMillis(20), Duration.ofSeconds(3), 2.0, 0.1)));
                    assertThat(timings(electors.get("reports")))
                            .isEqualTo(new ElectionTimings(
                                    Duration.ofSeconds(8),
                                    Duration.ofSeconds(2),
                                    Duration.ofSeconds(1),
                                    Duration.ofMillis(40),
                                    Duration.ofMillis(700),
                                    Duration.ofSeconds(8),
                                    new BackoffPolicy(Duration.ofMillis(100), Duration.ofSeconds(3), 2.0, 0.5)));
                });
    }

    @Test
    void runWithAnElectionsOwnTimingThatCannotWorkShouldNameItsProperty() {
        assertStartupFailure(
                new String[] {"leader.election.elections.orders.operation-timeout=-1s"},
                "Invalid leader election configuration: leader.election.elections.orders.operation-timeout (-1s) must be positive",
                "Review the value of the property 'leader.election.elections.orders.operation-timeout' in your configuration.");
    }

    @Test
    void runWithAnElectionsOwnLeaseTooShortForItsInheritedRenewalShouldNameEachPropertyWhereItIsSet() {
        assertStartupFailure(
                new String[] {"leader.election.elections.orders.lease-duration=2s"},
                "Invalid leader election configuration: leader.election.elections.orders.lease-duration (2s) must be "
                        + "greater than leader.election.renew-interval (3s) + leader.election.operation-timeout (1s) + "
                        + "leader.election.drift-margin (25ms) = 4025ms, so that a renewal can finish before the lease ends",
                "Review the values of the properties 'leader.election.elections.orders.lease-duration', "
                        + "'leader.election.renew-interval', 'leader.election.operation-timeout', "
                        + "'leader.election.drift-margin' in your configuration.");
    }

    @Test
    void runWithAnElectionsOwnBackoffThatCannotWorkShouldNameItsProperties() {
        assertStartupFailure(
                new String[] {"leader.election.backoff.initial=2s", "leader.election.elections.orders.backoff.max=1s"},
                "Invalid leader election configuration: leader.election.elections.orders.backoff.max (1s) must not be "
                        + "less than leader.election.backoff.initial (2s)",
                "Review the values of the properties 'leader.election.elections.orders.backoff.max', "
                        + "'leader.election.backoff.initial' in your configuration.");
    }

    @Test
    void runWithAFurtherElectionNamedLikeTheDefaultShouldFailNamingBoth() {
        assertStartupFailure(
                new String[] {"leader.election.name=orders", "leader.election.elections.orders.lease-duration=5s"},
                "Invalid leader election configuration: leader.election.elections.orders is a further election named "
                        + "like the default election ('orders', from leader.election.name); every election needs its own name",
                "Review the values of the properties 'leader.election.elections.orders', 'leader.election.name' in "
                        + "your configuration.");
    }

    @Test
    void runWithAFurtherElectionNamedLikeTheApplicationShouldFailNamingBoth() {
        assertStartupFailure(
                new String[] {"spring.application.name=billing", "leader.election.elections.billing.lease-duration=5s"},
                "Invalid leader election configuration: leader.election.elections.billing is a further election named "
                        + "like the default election ('billing', from spring.application.name, as leader.election.name "
                        + "is not set); every election needs its own name",
                "Review the values of the properties 'leader.election.elections.billing', 'spring.application.name' in "
                        + "your configuration.");
    }

    @Test
    void runWithAFurtherElectionNameTheStoreRejectsShouldFailWithTheStoresReason() {
        assertStartupFailure(
                new String[] {"leader.election.elections[orders{1}].lease-duration=5s"},
                "Invalid leader election configuration: leader.election.elections.orders{1} ('orders{1}') must be "
                        + "non-empty and use only letters, digits, '.', '_', ':' and '-', so that it fits the store's key layout",
                "Review the value of the property 'leader.election.elections.orders{1}' in your configuration.");
    }

    @Test
    void runWithAUserElectorShouldNotCreateASecondElectorOfItsElection() {
        try (ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(1, "user-")) {
            LeaderElector userElector = new LeaseLeaderElector(
                    "orders", "me", new SilentStore(), ElectionTimings.builder().build(), scheduler);
            contextRunner
                    .withBean(LeaderElector.class, () -> userElector)
                    .withPropertyValues(
                            "leader.election.elections.orders.lease-duration=5s",
                            "leader.election.elections.reports.lease-duration=5s")
                    .run(context -> {
                        assertThat(context).hasSingleBean(LeaderElector.class);
                        LeaderElectors electors = context.getBean(LeaderElectors.class);
                        assertThat(electors.names()).containsExactly("orders", "reports");
                        assertThat(electors.get("orders")).isSameAs(userElector);
                        assertThat(electors.defaultElector()).isSameAs(userElector);
                        assertThat(electors.get("reports")).isInstanceOf(RedisLeaderElector.class);
                    });
        }
    }

    @Test
    void runShouldReleaseOnShutdownPerElection() {
        contextRunner
                .withPropertyValues(
                        "leader.election.name=released",
                        "leader.election.elections.kept-orders.release-on-shutdown=false")
                .run(context -> {
                    LeaderElectors electors = context.getBean(LeaderElectors.class);
                    await().atMost(Duration.ofSeconds(5))
                            .until(() -> electors.all().stream().allMatch(LeaderElector::isLeader));
                });
        assertThat(redis.command("EXISTS", "{leader-election:released}:lease")).isEqualTo("0");
        assertThat(redis.command("EXISTS", "{leader-election:kept-orders}:lease"))
                .isEqualTo("1");
    }

    @Test
    void runShouldStopTheElectorsSideBySideWhenTheStoreDoesNotAnswer() {
        contextRunner
                .withBean(LeaseStore.class, UnansweredReleaseStore::new)
                .withPropertyValues(
                        "leader.election.name=a",
                        "leader.election.operation-timeout=1s",
                        "leader.election.elections.b.lease-duration=10s",
                        "leader.election.elections.c.lease-duration=10s",
                        "leader.election.elections.d.lease-duration=10s")
                .run(context -> {
                    LeaderElectors electors = context.getBean(LeaderElectors.class);
                    await().atMost(Duration.ofSeconds(5))
                            .until(() -> electors.all().stream().allMatch(LeaderElector::isLeader));
                    long closing = System.nanoTime();
                    context.close();
                    Duration closed = Duration.ofNanos(System.nanoTime() - closing);
                    assertThat(electors.all()).noneMatch(LeaderElector::isLeader);
                    assertThat(closed)
                            .as("four stops that each wait out the 1 s operation timeout, side by side")
                            .isBetween(Duration.ofMillis(900), Duration.ofMillis(2_500));
                });
    }

    @Test
    void runWithLeaderOnlyOnAnElectionShouldAskThatElectionsElector() {
        contextRunner
                .withPropertyValues("leader.election.name=main", "leader.election.elections.orders.lease-duration=5s")
                .withBean(ElectionWork.class)
                .withBean(OrdersJob.class)
                .withBean(MainJob.class)
                .run(context -> {
                    LeaderElectors electors = context.getBean(LeaderElectors.class);
                    await().atMost(Duration.ofSeconds(5))
                            .until(() -> electors.all().stream().allMatch(LeaderElector::isLeader));
                    ElectionWork work = context.getBean(ElectionWork.class);
                    Job ordersJob = context.getBean(OrdersJob.class);
                    Job mainJob = context.getBean(MainJob.class);

                    electors.get("orders").yieldLeadership();

                    assertThat(electors.get("main").isLeader()).isTrue();
                    work.onMain();
                    work.onOrders();
                    assertThat(work.runs()).isEqualTo(1);
                    assertThatExceptionOfType(NotLeaderException.class)
                            .isThrownBy(work::reportOrders)
                            .satisfies(ex -> assertThat(ex.election()).isEqualTo("orders"));
                    assertThat(work.reportMain()).isEqualTo("main");
                    // one method of a shared base class, guarded for a different election on each type
                    ordersJob.run();
                    mainJob.run();
                    ordersJob.run();
                    mainJob.run();
                    assertThat(OrdersJob.runs).hasValue(0);
                    assertThat(MainJob.runs).hasValue(2);
                });
    }

    @Test
    void runWithLeaderOnlyNamingAnUnknownElectionShouldFailNamingTheMethodAndTheKnownElections() {
        contextRunner
                .withPropertyValues("leader.election.name=main", "leader.election.elections.orders.lease-duration=5s")
                .withBean(MistypedWork.class)
                .run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis =
                            new UnknownElectionFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription())
                            .isEqualTo("Invalid leader election configuration: @LeaderOnly on "
                                    + MistypedWork.class.getName() + ".run names election 'ordrs', which this "
                                    + "application does not take part in; known elections: main, orders");
                    assertThat(analysis.getAction())
                            .isEqualTo("Name one of the known elections (main, orders), or add the election 'ordrs' "
                                    + "under 'leader.election.elections.ordrs'.");
                });
    }

    @Test
    void runWithLeaderOnlyNamingTheDefaultElectionByItsNameShouldStart() {
        contextRunner
                .withPropertyValues("leader.election.name=ordrs")
                .withBean(MistypedWork.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    await().atMost(Duration.ofSeconds(5)).until(context.getBean(LeaderElector.class)::isLeader);
                    context.getBean(MistypedWork.class).run();
                });
    }

    private static ElectionTimings timings(LeaderElector elector) {
        return elector.status().timings();
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

    /** A store that grants and renews at once but never answers a release. */
    static final class UnansweredReleaseStore extends SilentStore {
        private final AtomicLong tokens = new AtomicLong();

        @Override
        public CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl) {
            return CompletableFuture.completedFuture(new AcquireResult.Granted(tokens.incrementAndGet()));
        }

        @Override
        public CompletionStage<Boolean> renew(String election, LeaseToken token, Duration ttl) {
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public CompletionStage<Boolean> release(String election, LeaseToken token) {
            return new CompletableFuture<>();
        }
    }

    /** Work of two elections; public so that a proxy class from another class loader sees it. */
    public static class ElectionWork {
        private final AtomicInteger runs = new AtomicInteger();

        public int runs() {
            return runs.get();
        }

        @LeaderOnly
        public void onMain() {
            runs.incrementAndGet();
        }

        @LeaderOnly(election = "orders")
        public void onOrders() {
            runs.incrementAndGet();
        }

        @LeaderOnly(election = "main")
        public String reportMain() {
            return "main";
        }

        @LeaderOnly(election = "orders")
        public String reportOrders() {
            return "orders";
        }
    }

    /** A job whose one method the subclasses guard for different elections. */
    public abstract static class Job {
        public void run() {
            counter().incrementAndGet();
        }

        protected abstract AtomicInteger counter();
    }

    @LeaderOnly(election = "orders")
    public static class OrdersJob extends Job {
        static final AtomicInteger runs = new AtomicInteger();

        @Override
        protected AtomicInteger counter() {
            return runs;
        }
    }

    @LeaderOnly(election = "main")
    public static class MainJob extends Job {
        static final AtomicInteger runs = new AtomicInteger();

        @Override
        protected AtomicInteger counter() {
            return runs;
        }
    }

    /** Names an election that does not exist. */
    public static class MistypedWork {
        @LeaderOnly(election = "ordrs")
        public void run() {}
    }
}
