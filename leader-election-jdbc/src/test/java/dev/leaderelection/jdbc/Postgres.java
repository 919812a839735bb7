package dev.leaderelection.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.leaderelection.testing.postgres.ProcessPostgresServer;
import java.time.Duration;

/** Connection pools for tests, configured as Spring Boot configures an application's. */
final class Postgres {

    private Postgres() {}

    /** A pool on {@code server}, small, that notices a dead server within a couple of seconds. */
    static HikariDataSource pool(ProcessPostgresServer server) {
        return pool(server.jdbcUrl());
    }

    /** As {@link #pool(ProcessPostgresServer)}, on any address of a server (a proxy's). */
    static HikariDataSource pool(String jdbcUrl) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(ProcessPostgresServer.USER);
        config.setPassword("");
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(Duration.ofSeconds(2).toMillis());
        config.setValidationTimeout(Duration.ofMillis(500).toMillis());
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }
}
