package dev.leaderelection.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Runs the store's statements on a few threads of its own, never on the caller's: the calls of one
 * election one at a time and in the order they were made, those of different elections side by side.
 * Each call is one transaction whose statements carry {@code SET LOCAL statement_timeout}, on a
 * connection whose network timeout ends a call to a silent server a little later. A call that waited
 * in the queue past its timeout fails without touching the database: its caller gave up on it.
 */
final class StatementRunner implements AutoCloseable {

    /** Beyond the statement timeout, how long a silent connection may keep a thread. */
    static final Duration NETWORK_GRACE = Duration.ofSeconds(1);

    private static final AtomicInteger RUNNERS = new AtomicInteger();

    private final DataSource dataSource;
    private final Duration statementTimeout;
    private final ExecutorService threads;
    private final Map<String, Queue<Runnable>> queues = new HashMap<>(); // guarded by itself

    StatementRunner(DataSource dataSource, Duration statementTimeout, int threads) {
        this.dataSource = dataSource;
        this.statementTimeout = statementTimeout;
        int number = RUNNERS.incrementAndGet();
        AtomicInteger thread = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread t = new Thread(task, "leader-election-jdbc-" + number + "-" + thread.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.threads = Executors.newFixedThreadPool(threads, factory);
    }

    Duration statementTimeout() {
        return statementTimeout;
    }

    /** Runs {@code work} in a transaction, after the calls of {@code election} made before it. */
    <T> CompletableFuture<T> run(String election, Work<T> work) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        long queuedAt = System.nanoTime();
        Runnable task = () -> {
            if (System.nanoTime() - queuedAt > statementTimeout.toNanos()) {
                answer.completeExceptionally(new TimeoutException("the call waited longer than the statement timeout ("
                        + statementTimeout.toMillis() + " ms) for a free connection thread; not sent"));
                return;
            }
            try {
                answer.complete(inTransaction(work));
            } catch (SQLException ex) {
                if (isStaleConnection(ex) && System.nanoTime() - queuedAt < statementTimeout.toNanos()) {
                    // A pooled connection that died with a restarted server: once more on a fresh one.
                    try {
                        answer.complete(inTransaction(work));
                    } catch (Throwable again) {
                        again.addSuppressed(ex);
                        answer.completeExceptionally(again);
                    }
                } else {
                    answer.completeExceptionally(ex);
                }
            } catch (Throwable ex) {
                answer.completeExceptionally(ex);
            }
        };
        enqueue(election, task);
        return answer;
    }

    /** Runs {@code work} in a transaction on the calling thread, bounded like every call. */
    <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            int networkTimeout = connection.getNetworkTimeout();
            connection.setNetworkTimeout(
                    Runnable::run, (int) statementTimeout.plus(NETWORK_GRACE).toMillis());
            try {
                if (autoCommit) {
                    connection.setAutoCommit(false);
                }
                T result;
                try {
                    result = work.run(new Transaction(connection, statementTimeout));
                    connection.commit();
                } catch (SQLException | RuntimeException ex) {
                    rollbackQuietly(connection, ex);
                    throw ex;
                }
                return result;
            } finally {
                if (!connection.isClosed()) {
                    if (autoCommit) {
                        connection.setAutoCommit(true);
                    }
                    connection.setNetworkTimeout(Runnable::run, networkTimeout);
                }
            }
        }
    }

    private void enqueue(String election, Runnable task) {
        boolean first;
        synchronized (queues) {
            Queue<Runnable> queue = queues.get(election);
            first = queue == null;
            if (first) {
                queue = new ArrayDeque<>();
                queues.put(election, queue);
            }
            queue.add(task);
        }
        if (first) {
            submit(election);
        }
    }

    private void submit(String election) {
        try {
            threads.execute(() -> drain(election));
        } catch (RejectedExecutionException ex) {
            failAll(election, ex);
        }
    }

    /** Runs one task of the election, then hands the thread back so other elections get their turn. */
    private void drain(String election) {
        Runnable task;
        synchronized (queues) {
            task = queues.get(election).peek();
        }
        try {
            task.run();
        } finally {
            boolean more;
            synchronized (queues) {
                Queue<Runnable> queue = queues.get(election);
                queue.poll();
                more = !queue.isEmpty();
                if (!more) {
                    queues.remove(election);
                }
            }
            if (more) {
                submit(election);
            }
        }
    }

    private void failAll(String election, RejectedExecutionException ex) {
        synchronized (queues) {
            queues.remove(election);
        }
        // The tasks' futures stay incomplete; the engine bounds every call with its own timeout.
    }

    /** A connection lost before the statement could run: a broken link, or a server that shut down. */
    static boolean isStaleConnection(SQLException ex) {
        String state = ex.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("57P"));
    }

    private static void rollbackQuietly(Connection connection, Exception failure) {
        try {
            if (!connection.isClosed()) {
                connection.rollback();
            }
        } catch (SQLException ex) {
            failure.addSuppressed(ex);
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
        try {
            threads.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** The statements of one call. */
    @FunctionalInterface
    interface Work<T> {
        T run(Transaction transaction) throws SQLException;
    }

    /** A transaction of one call: its statement carries the statement timeout. */
    static final class Transaction {
        private final Connection connection;
        private final String setTimeout;

        Transaction(Connection connection, Duration statementTimeout) {
            this.connection = connection;
            // A number we formatted ourselves: SET takes no parameters. Sent with the statement, in one round trip.
            this.setTimeout = "SET LOCAL statement_timeout = " + Math.max(1, statementTimeout.toMillis()) + ";\n";
        }

        Connection connection() {
            return connection;
        }

        /** Runs {@code script} with {@code values} for its named parameters and reads its rows. */
        <T> T query(SqlScript script, Map<String, Object> values, Rows<T> rows) throws SQLException {
            try (PreparedStatement statement = connection.prepareStatement(setTimeout + script.sql())) {
                int index = 1;
                for (String name : script.parameters()) {
                    if (!values.containsKey(name)) {
                        throw new IllegalArgumentException(script.name() + " needs a value for :" + name);
                    }
                    statement.setObject(index++, values.get(name));
                }
                boolean isRows = statement.execute();
                while (!isRows) { // the SET's update count comes first
                    if (statement.getUpdateCount() == -1) {
                        throw new SQLException(script.name() + " returned no rows");
                    }
                    isRows = statement.getMoreResults();
                }
                try (ResultSet result = statement.getResultSet()) {
                    return rows.read(result);
                }
            }
        }
    }

    /** Reads a result set. */
    @FunctionalInterface
    interface Rows<T> {
        T read(ResultSet rows) throws SQLException;
    }
}
