package dev.leaderelection.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.zaxxer.hikari.HikariDataSource;
import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.tck.LeaseStoreContract;
import dev.leaderelection.testing.postgres.PostgresServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class JdbcLeaseStoreTests extends LeaseStoreContract {

    @RegisterExtension
    static final PostgresServerExtension postgres = new PostgresServerExtension();

    private static HikariDataSource dataSource;
    private static JdbcLeaseStore store;

    private final List<HikariDataSource> clientPools = new ArrayList<>();

    @BeforeAll
    static void connect() {
        dataSource = Postgres.pool(postgres.server());
        // The contract's 30 s leases would keep the guard on for 30 s at every new election;
        // JdbcRestartGuardTests covers the guard.
        store = unguarded(dataSource);
        store.start();
    }

    @AfterAll
    static void disconnect() {
        store.close();
        dataSource.close();
    }

    @AfterEach
    void closeFurtherClients() {
        clientPools.forEach(HikariDataSource::close);
    }

    @Override
    public LeaseStore store() {
        return store;
    }

    /** Another process's store: a pool of its own on the same table. */
    @Override
    public LeaseStore newClient() {
        HikariDataSource pool = Postgres.pool(postgres.server());
        clientPools.add(pool);
        return unguarded(pool);
    }

    /** A dropped and re-created schema: rows, candidates and the fencing sequence are gone. */
    @Override
    public void wipeStoreData() {
        postgres.server()
                .execute("TRUNCATE leader_election_lease, leader_election_lease_candidates;"
                        + " ALTER SEQUENCE leader_election_lease_fencing RESTART");
    }

    @Test
    void theLeaseRowShowsTheHolderAndItsExpiryOnTheServerClock() throws Exception {
        LeaseToken token = LeaseToken.random("node-a");
        long fencingToken = granted(store.acquire("row", token, LONG_TTL));

        try (var connection = postgres.server().connect();
                var statement = connection.createStatement();
                var rows = statement.executeQuery(
                        "SELECT holder, holder_id, fencing_token,"
                                + " expires_at - clock_timestamp() AS remaining FROM leader_election_lease WHERE election = 'row'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString("holder")).isEqualTo(token.encoded());
            assertThat(rows.getString("holder_id")).isEqualTo("node-a");
            assertThat(rows.getLong("fencing_token")).isEqualTo(fencingToken);
        }
        assertThat(fencingToken)
                .as("floored at the server clock in microseconds")
                .isGreaterThan(System.currentTimeMillis() * 1000
                        - Duration.ofMinutes(10).toNanos() / 1000);
    }

    @Test
    void leaseDurationsReachTheServerRoundedUpToWholeMicroseconds() {
        assertThat(JdbcLeaseStore.wholeMicros(Duration.ofNanos(1_500_000_001))).isEqualTo(1_500_001);
        assertThat(JdbcLeaseStore.wholeMicros(Duration.ofMillis(1500))).isEqualTo(1_500_000);
    }

    @Test
    void anOperatorWhoDeletesTheRowEndsTheLeaseForItsHolder() {
        LeaseToken holder = LeaseToken.random("node-a");
        long before = granted(store.acquire("deleted", holder, LONG_TTL));

        postgres.server().execute("DELETE FROM leader_election_lease WHERE election = 'deleted'");

        assertThat(answer(store.renew("deleted", holder, LONG_TTL)))
                .as("fail-closed: the holder steps down")
                .isFalse();
        assertThat(answer(store.release("deleted", holder))).isFalse();
        assertThat(granted(store.acquire("deleted", LeaseToken.random("node-b"), LONG_TTL)))
                .as("the sequence survives the row")
                .isGreaterThan(before);
    }

    @Test
    void anOperatorWhoWritesTheRowIsTheHolderForEveryoneUntilItExpires() {
        LeaseToken holder = LeaseToken.random("node-a");
        granted(store.acquire("overwritten", holder, LONG_TTL));

        postgres.server()
                .execute("UPDATE leader_election_lease SET holder = '0123abcd:operator', holder_id = NULL,"
                        + " expires_at = clock_timestamp() + interval '5 seconds' WHERE election = 'overwritten'");

        assertThat(answer(store.renew("overwritten", holder, LONG_TTL))).isFalse();
        assertThat(answer(store.release("overwritten", holder))).isFalse();
        assertThat(answer(store.acquire("overwritten", LeaseToken.random("node-b"), LONG_TTL)))
                .isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
                    assertThat(held.holder().instanceId()).isEqualTo("operator");
                    assertThat(held.holder().remaining()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(5));
                });
    }

    @Test
    void checkElectionNameTakesNotifySafeNamesOnly() {
        store.checkElectionName("orders.v2:eu-west_1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> store.checkElectionName("orders queue"))
                .withMessage("must be 1 to 200 characters long and use only letters, digits, '.', '_', ':' and '-'");
        assertThatIllegalArgumentException().isThrownBy(() -> store.checkElectionName(""));
    }

    @Test
    void rejectATableNameThatIsNotAPlainName() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JdbcLeaseStore.builder(dataSource)
                        .table("lease; DROP TABLE x")
                        .build())
                .withMessageStartingWith("table 'lease; DROP TABLE x' must be an unquoted PostgreSQL name");
    }

    @Test
    void heldAnswersNameTheHolder() {
        granted(store.acquire("named", LeaseToken.random("node-a"), LONG_TTL));
        assertThat(answer(store.acquire("named", LeaseToken.random("node-b"), LONG_TTL)))
                .isInstanceOfSatisfying(
                        AcquireResult.Held.class,
                        held -> assertThat(held.holder().instanceId()).isEqualTo("node-a"));
    }

    static JdbcLeaseStore unguarded(HikariDataSource pool) {
        return JdbcLeaseStore.builder(pool)
                .restartGuard(false)
                .statementTimeout(Duration.ofSeconds(2))
                .build();
    }
}
