package dev.leaderelection.jdbc;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A {@link LeaseStore} on PostgreSQL through plain JDBC on a {@link DataSource}: one row per
 * election in a table (default {@value #DEFAULT_TABLE}) whose {@code expires_at} is judged on the
 * database server's clock, so no client clock is trusted. Acquire, renew and release are single
 * statements (resources next to this class) that act only while the caller's token holds the row;
 * each runs in a transaction of its own with {@code SET LOCAL statement_timeout}.
 *
 * <p>Fencing tokens come from a sequence and never go below the server clock in microseconds, nor
 * below the election's last token, so they keep growing after a restore or on a new database. With
 * the {@linkplain Builder#restartGuard restart guard} on (the default), a lease found free on a
 * server that may lack the last grant or renewal (another server process, a new timeline, a new
 * row) is granted to nobody for one lease.
 *
 * <p>A release notifies the other instances ({@code NOTIFY} on one channel per table); the store
 * listens on one connection for all its elections. Grants are announced the same way.
 *
 * <p>Calls never block the caller: they run on threads of the store's own, an election's calls one
 * at a time in the order they were made.
 */
public class JdbcLeaseStore implements LeaseStore {

    /** The table used unless another is given. */
    public static final String DEFAULT_TABLE = SqlScript.DEFAULT_TABLE;

    /** The statement timeout used unless another is given. */
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(1);

    /** How often a quiet LISTEN connection is checked, unless set otherwise. */
    public static final Duration DEFAULT_LISTEN_CHECK_INTERVAL = Duration.ofSeconds(10);

    /** The schema resource, next to this class: the DDL, with the default table name. */
    public static final String SCHEMA_RESOURCE = "schema-postgresql.sql";

    private static final Pattern TABLE = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*\\.)?[A-Za-z_][A-Za-z0-9_]{0,47}");
    private static final Pattern ELECTION = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
    private static final String ELECTION_RULE =
            "must be 1 to 200 characters long and use only letters, digits, '.', '_', ':' and '-'";

    private final String table;
    private final boolean restartGuard;
    private final StatementRunner runner;
    private final Notifications notifications;
    private final JdbcSchema schema;
    private final SqlScript acquire;
    private final SqlScript renew;
    private final SqlScript release;
    private final SqlScript inspect;
    private final SqlScript candidates;

    private JdbcLeaseStore(Builder builder) {
        if (!TABLE.matcher(builder.table).matches()) {
            throw new IllegalArgumentException("table '" + builder.table
                    + "' must be an unquoted PostgreSQL name of at most 48 characters (letters, digits and '_', not"
                    + " starting with a digit), optionally after a schema name and '.'");
        }
        if (builder.statementTimeout.isNegative() || builder.statementTimeout.isZero()) {
            throw new IllegalArgumentException("statementTimeout must be positive");
        }
        this.table = builder.table;
        this.restartGuard = builder.restartGuard;
        this.runner = new StatementRunner(builder.dataSource, builder.statementTimeout, builder.threads);
        this.notifications = new Notifications(
                builder.listenDataSource != null ? builder.listenDataSource : builder.dataSource,
                table,
                builder.listenCheckInterval);
        this.schema = new JdbcSchema(runner, table, builder.initializeSchema);
        this.acquire = SqlScript.load("acquire.sql", table);
        this.renew = SqlScript.load("renew.sql", table);
        this.release = SqlScript.load("release.sql", table);
        this.inspect = SqlScript.load("inspect.sql", table);
        this.candidates = SqlScript.load("candidates.sql", table);
    }

    /** A builder for a store on {@code dataSource}, which must connect to PostgreSQL directly. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    @Override
    public CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl) {
        Map<String, Object> values = Map.of(
                "election",
                election,
                "token",
                token.encoded(),
                "instance",
                token.instanceId(),
                "ttl",
                wholeMicros(ttl),
                "guard",
                restartGuard,
                "channel",
                table);
        return runner.run(
                election,
                tx -> tx.query(acquire, values, rows -> {
                    rows.next();
                    if (rows.getBoolean("granted")) {
                        return new AcquireResult.Granted(rows.getLong("fencing_token"));
                    }
                    return new AcquireResult.Held(new LeaseHolder(
                            rows.getString("holder_id"), Duration.ofNanos(rows.getLong("remaining_micros") * 1000)));
                }));
    }

    @Override
    public CompletionStage<Boolean> renew(String election, LeaseToken token, Duration ttl) {
        Map<String, Object> values = Map.of(
                "election",
                election,
                "token",
                token.encoded(),
                "instance",
                token.instanceId(),
                "ttl",
                wholeMicros(ttl));
        return runner.run(election, tx -> tx.query(renew, values, rows -> rows.next() && rows.getLong("renewed") == 1));
    }

    @Override
    public CompletionStage<Boolean> release(String election, LeaseToken token) {
        Map<String, Object> values = Map.of("election", election, "token", token.encoded(), "channel", table);
        return runner.run(election, tx -> tx.query(release, values, rows -> rows.next()));
    }

    /** Reads who holds the lease now; an election held back by the restart guard reads as free. */
    @Override
    public CompletionStage<Optional<LeaseHolder>> inspect(String election) {
        return runner.run(
                election,
                tx -> tx.query(
                        inspect,
                        Map.of("election", election),
                        rows -> rows.next()
                                ? Optional.of(new LeaseHolder(
                                        LeaseToken.instanceIdOf(rows.getString("holder")),
                                        Duration.ofNanos(rows.getLong("remaining_micros") * 1000)))
                                : Optional.empty()));
    }

    @Override
    public Subscription subscribe(String election, LeaseChangeListener listener) {
        return notifications.subscribe(election, listener);
    }

    @Override
    public CompletionStage<List<Candidate>> candidates(String election) {
        return runner.run(
                election,
                tx -> tx.query(candidates, Map.of("election", election), rows -> {
                    List<Candidate> found = new ArrayList<>();
                    while (rows.next()) {
                        found.add(new Candidate(
                                rows.getString("instance"),
                                rows.getTimestamp("last_seen").toInstant()));
                    }
                    return found;
                }));
    }

    @Override
    public String kind() {
        return "jdbc";
    }

    /** Accepts 1 to 200 letters, digits, '.', '_', ':' and '-': the name also travels in NOTIFY messages. */
    @Override
    public void checkElectionName(String election) {
        if (!ELECTION.matcher(election).matches()) {
            throw new IllegalArgumentException(ELECTION_RULE);
        }
    }

    /** The table of the lease rows; the other objects' names start with it. */
    public String table() {
        return table;
    }

    /** Whether this store holds back grants after the server restarted or was promoted. */
    public boolean restartGuard() {
        return restartGuard;
    }

    /** The {@code statement_timeout} of every call. */
    public Duration statementTimeout() {
        return runner.statementTimeout();
    }

    /** The DDL of this store's table, sequence and candidates table. */
    public String schemaDdl() {
        return schema.ddl();
    }

    /**
     * Creates the tables if missing ({@link InitializeSchema#ALWAYS}) or checks that they exist
     * ({@link InitializeSchema#NEVER}), then listens for releases. A database that does not answer
     * does not fail startup: the electors stand by until it does, and the tables are created in the
     * background once it answers.
     *
     * @throws IllegalStateException with {@code NEVER}, when the database answers and the table is
     *     missing; the message shows the DDL
     */
    @Override
    public void start() {
        schema.prepare();
        notifications.start();
    }

    /** Stops listening for releases; statements keep working. */
    @Override
    public void stop() {
        notifications.stop();
    }

    /** Stops listening and running statements, for good; later calls fail. */
    @Override
    public void close() {
        notifications.close();
        schema.close();
        runner.close();
    }

    /** Rounded up: a lease sent to the server must never be shorter than the one the elector counts on. */
    static long wholeMicros(Duration ttl) {
        long micros = ttl.toNanos() / 1000;
        return ttl.toNanos() % 1000 == 0 ? micros : micros + 1;
    }

    /** Runs {@code sql} on a connection of the store, bounded like every call; for tests and tools. */
    void execute(String sql) throws SQLException {
        runner.inTransaction(tx -> {
            try (var statement = tx.connection().createStatement()) {
                statement.execute(sql);
            }
            return null;
        });
    }

    /** Whether the store creates its tables at startup. */
    public enum InitializeSchema {
        /** {@code CREATE ... IF NOT EXISTS} at startup. */
        ALWAYS,
        /** A DBA owns the schema: startup only checks that the table exists. */
        NEVER
    }

    /**
     * Builds a {@link JdbcLeaseStore}: table {@value #DEFAULT_TABLE}, restart guard on, schema
     * created at startup, statement timeout {@link #DEFAULT_STATEMENT_TIMEOUT}.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private String table = DEFAULT_TABLE;
        private boolean restartGuard = true;
        private InitializeSchema initializeSchema = InitializeSchema.ALWAYS;
        private Duration statementTimeout = DEFAULT_STATEMENT_TIMEOUT;
        private Duration listenCheckInterval = DEFAULT_LISTEN_CHECK_INTERVAL;
        private int threads = 2;
        private @Nullable DataSource listenDataSource;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /**
         * The table of the lease rows, optionally schema-qualified; the sequence and the candidates
         * table take its name with {@code _fencing} and {@code _candidates} appended, and it names
         * the NOTIFY channel.
         */
        public Builder table(String table) {
            this.table = table;
            return this;
        }

        /**
         * Whether to hold back grants for one lease when the server may have lost the last grant or
         * renewal. The acquire that finds a lease free compares {@code pg_postmaster_start_time()}
         * (new on every start) and the WAL timeline (new on every promotion) with the ones its row
         * records; when they differ, or the row is new (a new election, a row an operator deleted),
         * it records them and grants nothing for one lease from then. A renewal records them too:
         * the holder's lease is then known to this server.
         */
        public Builder restartGuard(boolean restartGuard) {
            this.restartGuard = restartGuard;
            return this;
        }

        /** Whether {@link JdbcLeaseStore#start()} creates the tables or only checks them. */
        public Builder initializeSchema(InitializeSchema initializeSchema) {
            this.initializeSchema = initializeSchema;
            return this;
        }

        /**
         * The {@code statement_timeout} of every call: no longer than the elections' operation
         * timeout. A silent connection is given up one second later (its network timeout).
         */
        public Builder statementTimeout(Duration statementTimeout) {
            this.statementTimeout = statementTimeout;
            return this;
        }

        /**
         * Where the one connection that listens for releases comes from, when it must not be the
         * statements' data source (a pool behind PgBouncer's transaction pooling cannot LISTEN).
         */
        public Builder listenDataSource(DataSource listenDataSource) {
            this.listenDataSource = listenDataSource;
            return this;
        }

        /** How often a quiet LISTEN connection is checked, so that a lost one is opened again. */
        public Builder listenCheckInterval(Duration listenCheckInterval) {
            this.listenCheckInterval = listenCheckInterval;
            return this;
        }

        /** How many threads run statements, each holding at most one connection. */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1");
            }
            this.threads = threads;
            return this;
        }

        /** @throws IllegalArgumentException if the table name is not a plain PostgreSQL name */
        public JdbcLeaseStore build() {
            return new JdbcLeaseStore(this);
        }
    }
}
