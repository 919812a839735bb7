package dev.leaderelection.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.Leadership;
import dev.leaderelection.LeadershipListener;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.RevocationReason;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore.Subscription;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.store.WakeUps;
import dev.leaderelection.testing.postgres.PostgresServerExtension;
import dev.leaderelection.testing.postgres.ProcessPostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store against a real PostgreSQL that crashes, freezes, restarts and locks rows, under the real
 * engine where leadership is concerned.
 */
class JdbcFailureTests {

    static final Duration LEASE = Duration.ofSeconds(2);
    static final ElectionTimings TIMINGS = ElectionTimings.builder()
            .leaseDuration(LEASE)
            .renewInterval(Duration.ofMillis(500))
            .operationTimeout(Duration.ofMillis(500))
            .retryInterval(Duration.ofMillis(200))
            .build();
    /** Room for a busy machine (2 cores shared by many builds). */
    static final Duration SLACK = Duration.ofSeconds(2);

    @RegisterExtension
    static final PostgresServerExtension postgres = new PostgresServerExtension();

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void aFollowerTakesOverWithinALeaseAfterTheLeaderCrashesAndAtOnceAfterAGracefulStop() {
        Instance a = instance("takeover", "node-a", false);
        Instance b = instance("takeover", "node-b", false);
        a.elector.start();
        await().atMost(SLACK).until(() -> a.granted(1));
        b.elector.start();
        await().atMost(SLACK).until(() -> b.elector.leaderId() != null);

        long crashed = System.nanoTime();
        a.elector.stop(false); // a crash: nothing released, the lease runs out on the server
        await().atMost(LEASE.plus(SLACK)).until(() -> b.granted(1));
        Duration takeover = Duration.ofNanos(b.grantedAt.get() - crashed);
        assertThat(takeover).isLessThan(LEASE.plus(SLACK));

        Instance c = instance("takeover", "node-c", false);
        c.elector.start();
        await().atMost(SLACK).until(() -> "node-b".equals(c.elector.leaderId()));
        long stopped = System.nanoTime();
        b.elector.stop(true); // graceful: release, NOTIFY, the follower acquires at once
        await().atMost(SLACK).until(() -> c.granted(1));
        Duration handOff = Duration.ofNanos(c.grantedAt.get() - stopped);
        assertThat(handOff).as("woken by NOTIFY, not by expiry").isLessThan(LEASE.dividedBy(2));
        assertThat(c.tokens.get(0)).isGreaterThan(b.tokens.get(0)).isGreaterThan(a.tokens.get(0));
        System.out.printf(
                "FIGURE postgres takeover after a crash (lease 2 s): %d ms; hand-off after a graceful stop: %d ms%n",
                takeover.toMillis(), handOff.toMillis());
    }

    @Test
    void theLeaderStepsDownBeforeItsLeaseEndsWhilePostgresIsFrozen() {
        ProcessPostgresServer server = postgres.server();
        Instance a = instance("frozen", "node-a", false);
        Instance b = instance("frozen", "node-b", false);
        a.elector.start();
        await().atMost(SLACK).until(a.elector::isLeader);
        b.elector.start();
        await().atMost(SLACK).until(() -> b.elector.leaderId() != null);

        server.pause();
        try {
            await().atMost(LEASE.plus(SLACK)).until(() -> !a.revocations.isEmpty());
            assertThat(a.revocations).containsExactly(RevocationReason.STORE_UNREACHABLE);
            assertThat(a.revokedAt.get() - a.lastDeadline.get())
                    .as("revoked before the local deadline, which ends before the lease on the server")
                    .isNegative();
            assertThat(b.elector.isLeader()).isFalse();
        } finally {
            server.resume();
        }
        await().atMost(LEASE.plus(SLACK).plus(SLACK)).until(() -> a.elector.isLeader() || b.elector.isLeader());
    }

    @Test
    void theLeaderStepsDownWhenPostgresIsKilledAndTokensKeepGrowingAfterTheRestart() {
        ProcessPostgresServer server = postgres.server();
        Instance a = instance("killed", "node-a", false);
        a.elector.start();
        await().atMost(SLACK).until(() -> a.granted(1));
        long before = a.tokens.get(0);

        server.kill();
        await().atMost(LEASE.plus(SLACK)).until(() -> !a.revocations.isEmpty());
        assertThat(a.revocations).containsExactly(RevocationReason.STORE_UNREACHABLE);
        assertThat(a.revokedAt.get() - a.lastDeadline.get()).isNegative();

        server.start();
        await().atMost(LEASE.plus(SLACK).plus(SLACK)).until(() -> a.granted(2));
        assertThat(a.tokens).hasSize(2);
        assertThat(a.tokens.get(1)).isGreaterThan(before);
    }

    @Test
    void afterARestartTheGuardHoldsAFreeLeaseForOneLeaseAndTokensKeepGrowing() throws Exception {
        JdbcLeaseStore store = store(true);
        LeaseToken first = LeaseToken.random("node-a");
        assertThat(answer(store.acquire("restart", first, LEASE)))
                .as("a new row: its history is unknown")
                .isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
                    assertThat(held.holder().instanceId()).isEqualTo("(new lease row)");
                    assertThat(held.holder().remaining()).isLessThanOrEqualTo(LEASE);
                });
        long before = askUntilGranted(store, "restart", first);
        assertThat(answer(store.release("restart", first))).isTrue();

        postgres.server().stop();
        postgres.server().start();
        awaitAnswers(store);

        LeaseToken second = LeaseToken.random("node-b");
        long firstAsk = System.nanoTime();
        assertThat(answer(store.acquire("restart", second, LEASE)))
                .isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
                    assertThat(held.holder().instanceId()).isEqualTo("(postgres restarted)");
                    assertThat(held.holder().remaining()).isLessThanOrEqualTo(LEASE);
                });
        long after = askUntilGranted(store, "restart", second);
        Duration held = Duration.ofNanos(System.nanoTime() - firstAsk);
        assertThat(after).isGreaterThan(before);
        assertThat(held).isGreaterThanOrEqualTo(LEASE.minusMillis(300));

        // A holder that renews on the restarted server vouches for its lease: no hold after its release.
        // Its lease is made long enough to outlast the restart on a busy machine.
        assertThat(answer(store.renew("restart", second, Duration.ofMinutes(1))))
                .isTrue();
        postgres.server().stop();
        postgres.server().start();
        awaitAnswers(store);
        assertThat(answer(store.renew("restart", second, LEASE))).isTrue();
        assertThat(answer(store.release("restart", second))).isTrue();
        assertThat(answer(store.acquire("restart", LeaseToken.random("node-c"), LEASE)))
                .isInstanceOf(AcquireResult.Granted.class);
    }

    @Test
    void aDeletedRowIsHeldForOneLeaseByTheGuardSoTheOldHolderStepsDownFirst() {
        JdbcLeaseStore store = store(true);
        LeaseToken holder = LeaseToken.random("node-a");
        askUntilGranted(store, "deleted", holder);

        postgres.server().execute("DELETE FROM leader_election_lease WHERE election = 'deleted'");

        assertThat(answer(store.acquire("deleted", LeaseToken.random("node-b"), LEASE)))
                .isInstanceOfSatisfying(
                        AcquireResult.Held.class,
                        held -> assertThat(held.holder().instanceId()).isEqualTo("(new lease row)"));
        assertThat(answer(store.renew("deleted", holder, LEASE))).isFalse();
    }

    @Test
    void aCallEndsAtTheStatementTimeoutWhileAnotherSessionLocksTheRow() throws Exception {
        JdbcLeaseStore store = store(false);
        LeaseToken holder = LeaseToken.random("node-a");
        assertThat(answer(store.acquire("locked", holder, LEASE))).isInstanceOf(AcquireResult.Granted.class);
        try (Connection locker = postgres.server().connect()) {
            locker.setAutoCommit(false);
            try (Statement statement = locker.createStatement()) {
                statement.execute("SELECT * FROM leader_election_lease WHERE election = 'locked' FOR UPDATE");
            }
            long sent = System.nanoTime();
            CompletableFuture<Boolean> renewal =
                    store.renew("locked", holder, LEASE).toCompletableFuture();
            assertThat(renewal)
                    .failsWithin(store.statementTimeout().plus(SLACK))
                    .withThrowableOfType(ExecutionException.class)
                    .withMessageContaining("statement timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - sent))
                    .isGreaterThanOrEqualTo(store.statementTimeout().minusMillis(50));
            locker.rollback();
        }
        assertThat(answer(store.renew("locked", holder, LEASE))).isTrue();
    }

    @Test
    void grantsAreAnnouncedAndCandidatesListed() {
        JdbcLeaseStore listening = store(false);
        JdbcLeaseStore other = store(false);
        List<String> heard = new CopyOnWriteArrayList<>();
        Subscription subscription = listening.subscribe("announced", new LeaseChangeListener() {
            @Override
            public void released() {
                heard.add("released");
            }

            @Override
            public void granted(String instanceId, long fencingToken) {
                heard.add("granted " + instanceId + " " + fencingToken);
            }
        });
        resources.add(subscription);
        await().atMost(SLACK).until(subscription::state, WakeUps.SUBSCRIBED::equals);

        LeaseToken token = LeaseToken.random("node-b");
        long fencingToken = ((AcquireResult.Granted) answer(other.acquire("announced", token, LEASE))).fencingToken();
        answer(listening.acquire("announced", LeaseToken.random("node-a"), LEASE));
        answer(other.release("announced", token));

        await().atMost(SLACK).until(() -> heard.size() >= 2);
        assertThat(heard).containsExactly("granted node-b " + fencingToken, "released");
        assertThat(answer(listening.candidates("announced")))
                .extracting(Candidate::instanceId)
                .containsExactlyInAnyOrder("node-a", "node-b");
    }

    @Test
    void theWakeUpLinkIsRetriedWhilePostgresIsDownAndSubscribedAgainAfterItsRestart() {
        JdbcLeaseStore store = store(false);
        Subscription subscription = store.subscribe("link", () -> {});
        resources.add(subscription);
        await().atMost(SLACK).until(subscription::state, WakeUps.SUBSCRIBED::equals);

        postgres.server().kill();
        await().atMost(SLACK.plus(SLACK)).until(subscription::state, WakeUps.RETRYING::equals);

        postgres.server().start();
        await().atMost(Duration.ofSeconds(10)).until(subscription::state, WakeUps.SUBSCRIBED::equals);
    }

    private JdbcLeaseStore store(boolean restartGuard) {
        HikariDataSource pool = Postgres.pool(postgres.server());
        resources.add(pool);
        JdbcLeaseStore store = JdbcLeaseStore.builder(pool)
                .restartGuard(restartGuard)
                .statementTimeout(TIMINGS.operationTimeout())
                .listenCheckInterval(Duration.ofSeconds(1))
                .build();
        resources.add(store);
        store.start();
        return store;
    }

    private Instance instance(String election, String instanceId, boolean restartGuard) {
        ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(1, instanceId + "-");
        resources.add(scheduler);
        Instance instance =
                new Instance(new LeaseLeaderElector(election, instanceId, store(restartGuard), TIMINGS, scheduler));
        resources.add(() -> instance.elector.stop(false));
        return instance;
    }

    private static <T> T answer(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ex) {
            throw new AssertionError("store call failed", ex);
        }
    }

    /** Pooled connections to a server that restarted fail once each; the engine would retry too. */
    private static void awaitAnswers(JdbcLeaseStore store) {
        await().atMost(SLACK).ignoreExceptions().until(() -> {
            answer(store.inspect("any"));
            return true;
        });
    }

    private static long askUntilGranted(JdbcLeaseStore store, String election, LeaseToken token) {
        AtomicLong fencingToken = new AtomicLong();
        await().atMost(LEASE.plus(SLACK)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (answer(store.acquire(election, token, LEASE)) instanceof AcquireResult.Granted granted) {
                fencingToken.set(granted.fencingToken());
                return true;
            }
            return false;
        });
        return fencingToken.get();
    }

    /** An elector and what it heard. */
    static final class Instance implements LeadershipListener {
        final LeaseLeaderElector elector;
        final List<Long> tokens = new CopyOnWriteArrayList<>();
        final List<RevocationReason> revocations = new CopyOnWriteArrayList<>();
        final AtomicLong grantedAt = new AtomicLong();
        final AtomicLong revokedAt = new AtomicLong();
        final AtomicLong lastDeadline = new AtomicLong();

        Instance(LeaseLeaderElector elector) {
            this.elector = elector;
            elector.addListener(this);
        }

        /**
         * Whether this instance heard {@code count} grants: isLeader() turns true before the grant
         * reaches the listeners, so a test that reads the token or its time waits for this.
         */
        boolean granted(int count) {
            return tokens.size() >= count;
        }

        @Override
        public void granted(Leadership leadership) {
            grantedAt.set(System.nanoTime());
            tokens.add(leadership.fencingToken());
        }

        @Override
        public void revoked(Leadership leadership, RevocationReason reason) {
            revokedAt.set(System.nanoTime());
            lastDeadline.set(leadership.deadlineNanos());
            revocations.add(reason);
        }
    }
}
