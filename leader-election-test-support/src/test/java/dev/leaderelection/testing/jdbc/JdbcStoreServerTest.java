package dev.leaderelection.testing.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.testing.postgres.ProcessPostgresServer;
import dev.leaderelection.testing.store.StoreServer;
import dev.leaderelection.testing.store.StoreServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class JdbcStoreServerTest {

    @Test
    void postgresServerStartsWipesFreezesAndRestartsOnItsData() throws SQLException {
        try (StoreServer server = StoreServers.start("postgres")) {
            assertThat(server).isInstanceOf(JdbcStoreServer.class);
            assertThat(server.name()).isEqualTo("jdbc");
            assertThat(server.displayName()).isEqualTo("PostgreSQL");
            assertThat(server.capabilities()).containsExactlyInAnyOrder(StoreServer.Capability.values());
            assertThat(server.keepsDataOnRestart()).isTrue();
            int port = server.port().orElseThrow();
            assertThat(server.applicationProperties())
                    .containsEntry("spring.profiles.active", "jdbc")
                    .containsEntry("leader.election.store", "jdbc")
                    .containsEntry("spring.datasource.url", "jdbc:postgresql://127.0.0.1:" + port + "/postgres")
                    .containsEntry("spring.datasource.username", "postgres");
            assertThat(StoreServer.arguments(server.applicationProperties(4242)))
                    .contains("--spring.datasource.url=jdbc:postgresql://127.0.0.1:4242/postgres");

            ProcessPostgresServer postgres = ((JdbcStoreServer) server).postgres();
            server.wipe(); // no table yet: nothing to do
            postgres.execute("CREATE TABLE leader_election_lease (election varchar(255) PRIMARY KEY)");
            postgres.execute("CREATE TABLE leader_election_lease_candidates (election varchar(255))");
            postgres.execute("INSERT INTO leader_election_lease VALUES ('e')");
            postgres.execute("INSERT INTO leader_election_lease_candidates VALUES ('e')");
            server.wipe();
            assertThat(rows(postgres, "leader_election_lease")).isZero();
            assertThat(rows(postgres, "leader_election_lease_candidates")).isZero();

            server.freeze();
            assertThat(server.isRunning()).isTrue();
            server.resume();
            postgres.execute("INSERT INTO leader_election_lease VALUES ('kept')");

            server.kill();
            assertThat(server.isRunning()).isFalse();
            server.restart();
            assertThat(server.port().orElseThrow()).isEqualTo(port);
            assertThat(rows(postgres, "leader_election_lease")).isOne();
        }
    }

    private static long rows(ProcessPostgresServer postgres, String table) throws SQLException {
        try (Connection connection = postgres.connect();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT count(*) FROM " + table)) {
            result.next();
            return result.getLong(1);
        }
    }
}
