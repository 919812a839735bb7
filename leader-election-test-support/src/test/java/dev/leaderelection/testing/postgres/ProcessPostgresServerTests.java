package dev.leaderelection.testing.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

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

    private static String query(String sql) throws SQLException {
        try (Connection connection = postgres.server().connect();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
