package dev.leaderelection.jdbc;

import dev.leaderelection.ErrorDescriptions;
import dev.leaderelection.jdbc.JdbcLeaseStore.InitializeSchema;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the store's tables at startup, or checks that a DBA did. A database that does not answer
 * within {@link #WARM_UP_TIMEOUT} leaves the work to a background thread that retries with back-off.
 */
final class JdbcSchema implements AutoCloseable {

    /** The longest {@link #prepare()} waits for the database. */
    static final Duration WARM_UP_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(JdbcSchema.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration MAX_RETRY = Duration.ofSeconds(5);

    private final StatementRunner runner;
    private final String table;
    private final InitializeSchema mode;
    private final String ddl;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "leader-election-jdbc-schema");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean prepared;
    private volatile boolean unreachableLogged;

    JdbcSchema(StatementRunner runner, String table, InitializeSchema mode) {
        this.runner = runner;
        this.table = table;
        this.mode = mode;
        this.ddl = SqlScript.text(JdbcLeaseStore.SCHEMA_RESOURCE, table);
    }

    String ddl() {
        return ddl;
    }

    /**
     * @throws IllegalStateException when the database answers and the tables are missing (and, with
     *     {@code ALWAYS}, could not be created)
     */
    void prepare() {
        if (prepared) {
            return;
        }
        CompletableFuture<Boolean> attempt = new CompletableFuture<>();
        try {
            background.execute(() -> {
                try {
                    attempt.complete(tryPrepare());
                } catch (RuntimeException ex) {
                    attempt.completeExceptionally(ex);
                }
            });
        } catch (RejectedExecutionException ex) {
            throw new IllegalStateException("The store is closed", ex);
        }
        try {
            if (!attempt.get(WARM_UP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                retryLater(FIRST_RETRY);
            }
        } catch (TimeoutException ex) {
            logUnreachable("no answer within " + WARM_UP_TIMEOUT.toMillis() + " ms");
            attempt.whenComplete((done, failure) -> {
                if (failure != null) {
                    log.error("{}", failure.getMessage());
                } else if (!done) {
                    retryLater(FIRST_RETRY);
                }
            });
        } catch (ExecutionException ex) {
            if (ex.getCause() instanceof IllegalStateException missing) {
                throw missing;
            }
            throw new IllegalStateException(ex.getCause());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** Creates or checks the tables: true when done, false when the database did not answer. */
    private boolean tryPrepare() {
        SQLException createFailure = null;
        if (mode == InitializeSchema.ALWAYS) {
            try {
                runner.inTransaction(tx -> {
                    try (var statement = tx.connection().createStatement()) {
                        statement.execute(ddl);
                    }
                    return null;
                });
            } catch (SQLException ex) {
                createFailure = ex;
            }
        }
        List<String> missing;
        try {
            missing = missingObjects();
        } catch (SQLException ex) {
            logUnreachable(ErrorDescriptions.describe(createFailure != null ? createFailure : ex));
            return false;
        }
        if (!missing.isEmpty()) {
            String why = mode == InitializeSchema.ALWAYS
                    ? "could not be created (" + ErrorDescriptions.describe(createFailure) + ")"
                    : "do not exist, and leader.election.jdbc.initialize-schema=never leaves them to you";
            IllegalStateException failure = new IllegalStateException("The leader election tables " + missing + " "
                    + why + ". Create them with this DDL (resource dev/leaderelection/jdbc/"
                    + JdbcLeaseStore.SCHEMA_RESOURCE + "), or set leader.election.jdbc.initialize-schema=always:\n"
                    + ddl);
            if (createFailure != null) {
                failure.addSuppressed(createFailure);
            }
            throw failure;
        }
        prepared = true;
        if (unreachableLogged) {
            log.info("The leader election table {} is ready", table);
        }
        return true;
    }

    private List<String> missingObjects() throws SQLException {
        return runner.inTransaction(tx -> {
            List<String> missing = new ArrayList<>();
            try (PreparedStatement statement = tx.connection().prepareStatement("SELECT to_regclass(?)")) {
                for (String name : List.of(table, table + "_fencing", table + "_candidates")) {
                    statement.setString(1, name);
                    try (ResultSet rows = statement.executeQuery()) {
                        if (!rows.next() || rows.getString(1) == null) {
                            missing.add(name);
                        }
                    }
                }
            }
            return missing;
        });
    }

    private void retryLater(Duration delay) {
        try {
            background.schedule(
                    () -> {
                        try {
                            if (!tryPrepare()) {
                                Duration doubled = delay.multipliedBy(2);
                                retryLater(doubled.compareTo(MAX_RETRY) < 0 ? doubled : MAX_RETRY);
                            }
                        } catch (IllegalStateException missing) {
                            log.error("{}", missing.getMessage());
                        }
                    },
                    delay.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException ex) {
            // closed meanwhile
        }
    }

    private void logUnreachable(String why) {
        if (!unreachableLogged) {
            unreachableLogged = true;
            log.info(
                    "The database did not answer at startup ({}); electors stand by until it does, and the table {} is {} once it does",
                    why,
                    table,
                    mode == InitializeSchema.ALWAYS ? "created" : "checked");
        }
    }

    @Override
    public void close() {
        background.shutdownNow();
    }
}
