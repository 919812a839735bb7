package dev.leaderelection.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.tck.ElectionHistory;
import dev.leaderelection.testing.postgres.PostgresServerExtension;
import dev.leaderelection.testing.postgres.ProcessPostgresServer;
import dev.leaderelection.testing.proxy.TcpProxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The restart guard across a promotion: electors lead on a primary that a streaming standby
 * follows; the primary crashes, the standby is promoted and the electors' address moves to it, as a
 * failover address does. The promoted server may lack the last renewals, so it grants nothing for
 * one lease, and says why.
 */
class JdbcPromotionTests {

    static final Duration LEASE = JdbcFailureTests.LEASE;
    static final Duration SLACK = JdbcFailureTests.SLACK;
    static final String ELECTION = "promoted";

    @RegisterExtension
    static final PostgresServerExtension postgres = new PostgresServerExtension();

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ElectionHistory history = new ElectionHistory();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void afterAPromotionNothingIsGrantedForOneLeaseThenOneLeaderWithAHigherFencingToken() throws Exception {
        ProcessPostgresServer primary = postgres.server();
        ProcessPostgresServer standby = primary.standby();
        resources.add(standby);
        TcpProxy address = new TcpProxy(primary.port());
        resources.add(address);
        String url = "jdbc:postgresql://127.0.0.1:" + address.port() + "/" + ProcessPostgresServer.DATABASE;
        List<LeaseLeaderElector> electors =
                List.of(elector(url, "node-a"), elector(url, "node-b"), elector(url, "node-c"));
        electors.forEach(LeaseLeaderElector::start);

        // The first grant waits one lease (a new row), then the standby replicates it.
        await().atMost(LEASE.plus(SLACK).plus(SLACK)).until(() -> leaders(electors) == 1);
        long leaderToken = history.lastTerm().fencingToken();
        await().atMost(SLACK)
                .until(() -> queryLong(standby, "SELECT fencing_token FROM leader_election_lease") == leaderToken);

        primary.kill();
        standby.promote();
        await().atMost(LEASE.plus(SLACK)).until(() -> leaders(electors) == 0);
        // The leader stepped down, its lease ran out on the promoted server too: the lease is free.
        await().atMost(LEASE.plus(SLACK))
                .until(() -> queryLong(
                                standby,
                                "SELECT count(*) FROM leader_election_lease WHERE expires_at < clock_timestamp()")
                        == 1);
        long repointed = System.nanoTime();
        address.retarget(standby.port(), true);

        String heldBy = await().atMost(LEASE.plus(SLACK)).until(() -> holdReason(electors), Objects::nonNull);
        assertThat(heldBy).as("the hold's reason").isEqualTo("(postgres promoted)");
        await().atMost(LEASE.plus(SLACK).plus(SLACK)).until(() -> leaders(electors) == 1);

        List<ElectionHistory.Term> terms = history.terms();
        ElectionHistory.Term first = terms.stream()
                .filter(term -> term.grantedAt() > repointed)
                .findFirst()
                .orElseThrow();
        ElectionHistory.Term before = terms.get(terms.indexOf(first) - 1);
        Duration hold = Duration.ofNanos(first.grantedAt() - repointed);
        assertThat(hold)
                .as("no grant for one lease after the promotion was seen")
                .isGreaterThanOrEqualTo(LEASE);
        assertThat(terms.subList(0, terms.indexOf(first)))
                .allSatisfy(earlier -> assertThat(first.fencingToken()).isGreaterThan(earlier.fencingToken()));
        await().during(LEASE.dividedBy(2)).atMost(LEASE.plus(SLACK)).until(() -> leaders(electors) == 1);
        history.assertOneLeaderAtATime();
        System.out.printf(
                "FIGURE postgres promotion (lease 2 s): first grant %d ms after the electors reached the promoted"
                        + " server; %d ms without a leader%n",
                hold.toMillis(),
                Duration.ofNanos(first.grantedAt() - before.end(first.grantedAt()))
                        .toMillis());
    }

    private LeaseLeaderElector elector(String url, String instanceId) {
        HikariDataSource pool = Postgres.pool(url);
        resources.add(pool);
        JdbcLeaseStore store = JdbcLeaseStore.builder(pool)
                .statementTimeout(JdbcFailureTests.TIMINGS.operationTimeout())
                .listenCheckInterval(Duration.ofSeconds(1))
                .build();
        resources.add(store);
        store.start();
        ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(1, instanceId + "-");
        resources.add(scheduler);
        LeaseLeaderElector elector =
                new LeaseLeaderElector(ELECTION, instanceId, store, JdbcFailureTests.TIMINGS, scheduler);
        elector.addListener(history.listenerFor(instanceId));
        resources.add(() -> elector.stop(false));
        return elector;
    }

    private static long leaders(List<LeaseLeaderElector> electors) {
        return electors.stream().filter(LeaseLeaderElector::isLeader).count();
    }

    /** The reason the restart guard gave the electors for holding the lease, if they heard one. */
    private static @Nullable String holdReason(List<LeaseLeaderElector> electors) {
        return electors.stream()
                .map(LeaseLeaderElector::leaderId)
                .filter(id -> id != null && id.startsWith("(postgres"))
                .findFirst()
                .orElse(null);
    }

    private static long queryLong(ProcessPostgresServer server, String sql) {
        try (Connection connection = server.connect();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getLong(1) : -1;
        } catch (SQLException ex) {
            return -1;
        }
    }
}
