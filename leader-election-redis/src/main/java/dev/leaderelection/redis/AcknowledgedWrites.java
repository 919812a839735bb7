package dev.leaderelection.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Runs the scripts whose writes must reach replicas (grants and renewals) on a connection of the
 * store's own, and confirms each write with {@code WAIT minReplicas timeout} right after it on that
 * same connection: {@code WAIT} covers only the writes of its own connection, and it blocks that
 * connection, never the application's shared one. A write that fewer replicas acknowledge fails
 * the call: the engine counts no grant or renewal it cannot prove.
 *
 * <p>The connection comes from the connection factory's own Lettuce client, so it reaches the same
 * server (through Sentinel when the factory uses it) with the same credentials and TLS. It opens
 * on first use, on a thread of its own, and Lettuce reconnects it after a loss. Redis Cluster is not
 * supported: {@code WAIT} would have to go to the node that owns each election's slot.
 */
final class AcknowledgedWrites implements AutoCloseable {

    private final LettuceConnectionFactory connectionFactory;
    private final int minReplicas;
    private final long waitMillis;
    private final ExecutorService connector;
    private @Nullable CompletableFuture<StatefulRedisConnection<String, String>> connection; // guarded by this
    private boolean closed; // guarded by this

    /**
     * @param waitTimeout the longest each {@code WAIT} blocks; part of the operation timeout, which
     *     the engine bounds the whole call with
     * @throws IllegalArgumentException if {@code minReplicas} is not positive, the timeout is under
     *     a millisecond, or the factory is not a Lettuce one on a single server or Sentinel
     */
    AcknowledgedWrites(RedisConnectionFactory connectionFactory, int minReplicas, Duration waitTimeout, int number) {
        if (minReplicas <= 0) {
            throw new IllegalArgumentException(
                    "minReplicasAcked must be positive to confirm writes, was " + minReplicas);
        }
        if (waitTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("The WAIT timeout must be at least 1 ms, was " + waitTimeout);
        }
        this.connectionFactory = lettuce(connectionFactory);
        this.minReplicas = minReplicas;
        this.waitMillis = waitTimeout.toMillis();
        this.connector = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "leader-election-redis-acknowledged-" + number);
            thread.setDaemon(true);
            return thread;
        });
    }

    private static LettuceConnectionFactory lettuce(RedisConnectionFactory connectionFactory) {
        if (!(connectionFactory instanceof LettuceConnectionFactory lettuce)) {
            throw new IllegalArgumentException(
                    "Replica acknowledgement (min-replicas-acked) needs a " + "LettuceConnectionFactory; "
                            + connectionFactory.getClass().getName() + " is none");
        }
        if (lettuce.isClusterAware()) {
            throw new IllegalArgumentException("Replica acknowledgement (min-replicas-acked) works on a single "
                    + "Redis or through Sentinel, not on Redis Cluster");
        }
        return lettuce;
    }

    /** The factory's client, created when the factory started: same server, credentials and TLS. */
    private StatefulRedisConnection<String, String> connect() {
        AbstractRedisClient client = connectionFactory.getRequiredNativeClient();
        if (!(client instanceof RedisClient redisClient)) {
            throw new IllegalStateException("Replica acknowledgement needs a RedisClient, the connection factory has a "
                    + client.getClass().getSimpleName());
        }
        return redisClient.connect(StringCodec.UTF8);
    }

    /** How many replicas must acknowledge each grant and renewal. */
    int minReplicas() {
        return minReplicas;
    }

    /**
     * Runs {@code script} on the own connection; when {@code wrote} says that its reply is a grant
     * or a renewal, confirms it with {@code WAIT}, and fails unless enough replicas acknowledge it.
     */
    <T> CompletableFuture<T> run(RedisScript<T> script, List<String> keys, List<String> args, Predicate<T> wrote) {
        return connection().thenCompose(connected -> {
            RedisAsyncCommands<String, String> commands = connected.async();
            return this.<T>evaluate(commands, script, keys, args).thenCompose(reply -> {
                if (!wrote.test(reply)) {
                    return CompletableFuture.completedFuture(reply);
                }
                return commands.waitForReplication(minReplicas, waitMillis)
                        .toCompletableFuture()
                        .thenApply(acknowledged -> {
                            if (acknowledged < minReplicas) {
                                throw new CompletionException(new NotAcknowledgedException(
                                        "WAIT " + minReplicas + " " + waitMillis + " answered " + acknowledged
                                                + ": fewer replicas than min-replicas-acked (" + minReplicas
                                                + ") acknowledged the write within " + waitMillis
                                                + " ms, so it is not counted"));
                            }
                            return reply;
                        });
            });
        });
    }

    /** Starts opening the own connection, if it is not open or opening. */
    void open() {
        connection();
    }

    /** Sends {@code WAIT 0 1} on the own connection: answers whether the user may run {@code WAIT}. */
    CompletableFuture<Long> probe() {
        return connection()
                .thenCompose(
                        connected -> connected.async().waitForReplication(0, 1).toCompletableFuture());
    }

    private <T> CompletableFuture<T> evaluate(
            RedisAsyncCommands<String, String> commands, RedisScript<T> script, List<String> keys, List<String> args) {
        String[] keyArray = keys.toArray(String[]::new);
        String[] argArray = args.toArray(String[]::new);
        ScriptOutputType type =
                List.class.equals(script.getResultType()) ? ScriptOutputType.MULTI : ScriptOutputType.INTEGER;
        CompletableFuture<T> bySha =
                commands.<T>evalsha(script.getSha1(), type, keyArray, argArray).toCompletableFuture();
        // A server without the script (restarted, promoted, SCRIPT FLUSH) gets it whole, once.
        return bySha.handle((reply, error) -> error == null
                        ? CompletableFuture.completedFuture(reply)
                        : isNoScript(error)
                                ? commands.<T>eval(script.getScriptAsString(), type, keyArray, argArray)
                                        .toCompletableFuture()
                                : CompletableFuture.<T>failedFuture(error))
                .thenCompose(stage -> stage);
    }

    /** Whether {@code error} says that the server lacks the script ({@code NOSCRIPT}). */
    static boolean isNoScript(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof RedisNoScriptException
                    || String.valueOf(cause.getMessage()).startsWith("NOSCRIPT")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The connection, opened on the connector thread the first time (and again if opening failed):
     * connecting blocks while the server hangs, and election threads never wait for it.
     */
    private synchronized CompletableFuture<StatefulRedisConnection<String, String>> connection() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("The Redis lease store is closed"));
        }
        CompletableFuture<StatefulRedisConnection<String, String>> current = connection;
        if (current == null || current.isCompletedExceptionally()) {
            current = CompletableFuture.supplyAsync(this::connect, connector);
            connection = current;
        }
        return current;
    }

    @Override
    public void close() {
        CompletableFuture<StatefulRedisConnection<String, String>> current;
        synchronized (this) {
            closed = true;
            current = connection;
            connection = null;
        }
        if (current != null) {
            current.thenAccept(StatefulRedisConnection::closeAsync);
        }
        connector.shutdown();
    }

    /** A grant or renewal that fewer replicas acknowledged than asked for: not proven, not counted. */
    static final class NotAcknowledgedException extends RuntimeException {
        NotAcknowledgedException(String message) {
            super(message);
        }
    }
}
