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
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.jdbcUrl());
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
