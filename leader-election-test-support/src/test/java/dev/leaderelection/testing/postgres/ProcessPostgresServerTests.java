package dev.leaderelection.testing.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ProcessPostgresServerTests {

    @RegisterExtension
    static final PostgresServerExtension postgres = new PostgresServerExtension();

    @Test
    void aKilledServerRestartsOnTheSameDataAsANewProcess() throws SQLException {
        ProcessPostgresServer server = postgres.server();
        server.execute("CREATE TABLE IF NOT EXISTS kept (v int); INSERT INTO kept VALUES (1)");
        String startedBefore = query("SELECT pg_postmaster_start_time()::text");

        server.kill();
        assertThat(server.isRunning()).isFalse();
        server.start();

        assertThat(query("SELECT count(*)::text FROM kept")).isNotEqualTo("0");
        assertThat(query("SELECT pg_postmaster_start_time()::text")).isNotEqualTo(startedBefore);
    }

    @Test
    void aPausedServerKeepsItsConnectionsButAnswersNothingUntilResumed() throws SQLException {
        ProcessPostgresServer server = postgres.server();
        try (Connection connection = server.connect()) {
            server.pause();
            try {
                connection.setNetworkTimeout(
                        Runnable::run, (int) Duration.ofMillis(500).toMillis());
                assertThatExceptionOfType(SQLException.class).isThrownBy(() -> {
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("SELECT 1");
                    }
                });
            } finally {
                server.resume();
            }
        }
        assertThat(query("SELECT 'answers'")).isEqualTo("answers");
    }

    @Test
    void theServerDoesNotRunAsRoot() throws SQLException {
        assertThat(query("SELECT current_setting('data_directory')")).isNotBlank();
        assertThat(ProcessHandle.of(postgres.server().pid())
                        .flatMap(handle -> handle.info().user())
                        .orElse("unknown"))
                .isNotEqualTo("root");
    }

    @Test
    void aStandbyStreamsTheServersWritesAndOncePromotedAcceptsWritesOnANewTimeline() throws SQLException {
        ProcessPostgresServer server = postgres.server();
        try (ProcessPostgresServer standby = server.standby()) {
            server.execute("CREATE TABLE IF NOT EXISTS streamed (v int); INSERT INTO streamed VALUES (7)");
            await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .until(() -> query(standby, "SELECT count(*)::text FROM streamed WHERE v = 7"), "1"::equals);
            assertThat(query(standby, "SELECT pg_is_in_recovery()::text")).isEqualTo("true");

            server.kill();
            standby.promote();

            standby.execute("INSERT INTO streamed VALUES (8)");
            assertThat(query(standby, "SELECT pg_is_in_recovery()::text")).isEqualTo("false");
            assertThat(query(standby, "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"))
                    .as("initdb's timeline is 1")
                    .isEqualTo("00000002");
        }
    }

    private static String query(String sql) throws SQLException {
        return query(postgres.server(), sql);
    }

    private static String query(ProcessPostgresServer server, String sql) throws SQLException {
        try (Connection connection = server.connect();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
