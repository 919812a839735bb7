package dev.leaderelection.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.leaderelection.ElectionScheduler;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.jdbc.JdbcLeaseStore;
import dev.leaderelection.testing.jdbc.JdbcStoreServer;
import dev.leaderelection.testing.postgres.ProcessPostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * PostgreSQL for the benchmarks (the jdbc store): a {@link JdbcStoreServer}. Each elector has a
 * connection pool of its own, as an application's DataSource would be. The harness counts
 * transactions ({@code pg_stat_database.xact_commit + xact_rollback}: one per store call) as both
 * commands and requests, and the CPU time of the postmaster and its backends.
 */
final class JdbcBenchmarkStore implements BenchmarkStore {

    private final JdbcStoreServer server;
    private final ProcessPostgresServer postgres;
    private final Connection stats;
    private final String version;
    private long ownQueries;

    /** Runs on {@code server}, which it closes on {@link #close()}. */
    JdbcBenchmarkStore(JdbcStoreServer server) {
        this.server = server;
        this.postgres = server.postgres();
        try {
            this.stats = postgres.connect();
            this.version = single("SHOW server_version");
        } catch (SQLException ex) {
            server.close();
            throw new IllegalStateException("Cannot reach " + postgres, ex);
        }
    }

    @Override
    public String name() {
        return "jdbc";
    }

    @Override
    public String displayName() {
        return "PostgreSQL";
    }

    @Override
    public String server() {
        return "postgres " + version;
    }

    @Override
    public String connection() {
        return postgres.jdbcUrl();
    }

    @Override
    public Elector elector(
            String election, String instanceId, ElectionTimings timings, ElectionScheduler scheduler, boolean shared) {
        return elector(postgres.jdbcUrl(), election, instanceId, timings, scheduler);
    }

    /**
     * An elector on the PostgreSQL database at {@code jdbcUrl}: a small pool of its own and a {@link
     * JdbcLeaseStore} wired as the starter wires it (statement timeout = the operation timeout).
     */
    static Elector elector(
            String jdbcUrl, String election, String instanceId, ElectionTimings timings, ElectionScheduler scheduler) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(ProcessPostgresServer.USER);
        config.setPassword("");
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(Duration.ofSeconds(2).toMillis());
        config.setInitializationFailTimeout(-1);
        config.setPoolName("leader-election-" + instanceId);
        HikariDataSource pool = new HikariDataSource(config);
        JdbcLeaseStore store = JdbcLeaseStore.builder(pool)
                .statementTimeout(timings.operationTimeout())
                .build();
        store.start();
        LeaseLeaderElector elector = new LeaseLeaderElector(election, instanceId, store, timings, scheduler);
        return new Elector(elector, () -> {
            store.close();
            pool.close();
        });
    }

    @Override
    public Optional<Counter> counter() {
        return Optional.of(this::snapshot);
    }

    private synchronized RedisStats.Snapshot snapshot() {
        long at = System.nanoTime();
        long transactions;
        try {
            transactions = Long.parseLong(single("SELECT xact_commit + xact_rollback FROM pg_stat_database"
                    + " WHERE datname = current_database()"));
        } catch (SQLException ex) {
            throw new IllegalStateException("Cannot read pg_stat_database on " + postgres, ex);
        }
        ownQueries++;
        ProcessHandle postmaster = ProcessHandle.of(postgres.pid()).orElseThrow();
        double cpuSeconds = Stream.concat(Stream.of(postmaster), postmaster.descendants())
                        .mapToLong(process -> process.info()
                                .totalCpuDuration()
                                .map(Duration::toNanos)
                                .orElse(0L))
                        .sum()
                / 1e9;
        return new RedisStats.Snapshot(at, transactions, transactions - ownQueries, cpuSeconds, version);
    }

    @Override
    public synchronized OptionalLong remainingLeaseMillis(String election) {
        try (PreparedStatement statement = stats.prepareStatement("SELECT (extract(epoch FROM expires_at -"
                + " clock_timestamp()) * 1000)::bigint FROM " + JdbcStoreServer.TABLE + " WHERE election = ?")) {
            statement.setString(1, election);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() ? OptionalLong.of(result.getLong(1)) : OptionalLong.of(-2);
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("Cannot read the lease of " + election + " on " + postgres, ex);
        } finally {
            ownQueries++;
        }
    }

    /** PostgreSQL does not list other sessions' {@code LISTEN} channels: unknown. */
    @Override
    public OptionalLong releaseListeners(String election) {
        return OptionalLong.empty();
    }

    @Override
    public synchronized void close() {
        try {
            stats.close();
        } catch (SQLException ex) {
            // closing anyway
        }
        server.close();
    }

    private String single(String sql) throws SQLException {
        try (PreparedStatement statement = stats.prepareStatement(sql);
                ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getString(1);
        }
    }
}
