package dev.leaderelection.benchmarks;

import dev.leaderelection.testing.jdbc.JdbcStoreServer;
import dev.leaderelection.testing.postgres.ProcessPostgresServer;
import dev.leaderelection.testing.proxy.Direction;
import dev.leaderelection.testing.proxy.TcpProxy;
import dev.leaderelection.testing.store.StoreServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The design issue 15 compares the lease row with: leadership as a session advisory lock ({@code
 * pg_try_advisory_lock}), held as long as the leader's session lives; followers try the lock every
 * {@code poll} on connections of their own. Two measurements on one PostgreSQL server:
 *
 * <ul>
 *   <li><b>takeover after a crash</b>: the leader's socket is closed abruptly (as the kernel does
 *       for a SIGKILLed process); the server ends the session and frees the lock at once, so a
 *       follower gets it at its next try;
 *   <li><b>network cut</b>: the leader's connection goes through a {@link TcpProxy} that holds both
 *       directions; the server does not notice a silent peer (TCP keepalive, 2 h by default), so
 *       the lock stays with a leader that cannot tell whether it still has it.
 * </ul>
 *
 * <p>Not part of {@link Benchmarks#run}: run it alone, {@code java -cp <benchmarks classpath>
 * dev.leaderelection.benchmarks.AdvisoryLockBenchmark [rounds] [poll ms] [cut window ms]}.
 */
final class AdvisoryLockBenchmark {

    private static final long KEY = 15;

    private AdvisoryLockBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Duration poll = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 500);
        Duration cutWindow = Duration.ofMillis(args.length > 2 ? Long.parseLong(args[2]) : 6000);
        try (JdbcStoreServer server = (JdbcStoreServer) StoreServers.start("jdbc")) {
            ProcessPostgresServer postgres = server.postgres();
            List<Double> takeovers = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                takeovers.add(takeoverAfterCrash(postgres.jdbcUrl(), poll) / 1e6);
            }
            Distribution crash = new Distribution(takeovers);
            System.out.println("Advisory lock, takeover after a crash (socket closed), followers trying every "
                    + poll.toMillis() + " ms, " + rounds + " rounds: median "
                    + Math.round(crash.median()) + " ms, max " + Math.round(crash.max()) + " ms");
            Long cut = takeoverAfterCut(postgres, poll, cutWindow);
            System.out.println("Advisory lock, leader cut off (both directions held): "
                    + (cut == null
                            ? "no follower got the lock within " + cutWindow.toMillis()
                                    + " ms; the server keeps the silent session and its lock"
                            : "a follower got the lock after " + cut + " ms"));
        }
        System.exit(0);
    }

    /** Nanoseconds from the leader's socket closing to a follower holding the lock. */
    private static long takeoverAfterCrash(String jdbcUrl, Duration poll) throws Exception {
        Connection leader = connect(jdbcUrl);
        // the previous round's winner has closed its session; the server frees its lock as it exits
        Waits.until("the advisory lock free for a new round", Duration.ofSeconds(10), () -> {
            try {
                return tryLock(leader);
            } catch (SQLException ex) {
                throw new IllegalStateException(ex);
            }
        });
        ExecutorService followers = Executors.newFixedThreadPool(2);
        try {
            List<Connection> connections = List.of(connect(jdbcUrl), connect(jdbcUrl));
            // the followers try once, fail, and go on at their poll interval
            for (Connection follower : connections) {
                if (tryLock(follower)) {
                    throw new IllegalStateException("A follower got a held lock");
                }
            }
            long crashedAt = System.nanoTime();
            leader.abort(Runnable::run);
            CompletableFuture<Long> first = new CompletableFuture<>();
            for (Connection follower : connections) {
                followers.execute(() -> pollUntilLocked(follower, poll, crashedAt, first));
            }
            long grantedAt = first.get(30, TimeUnit.SECONDS);
            for (Connection follower : connections) {
                follower.close(); // the winner's session ends: its lock is free for the next round
            }
            return grantedAt - crashedAt;
        } finally {
            followers.shutdownNow();
        }
    }

    /** Milliseconds until a follower held the lock while the leader was cut off, or null if none did. */
    private static Long takeoverAfterCut(ProcessPostgresServer postgres, Duration poll, Duration window)
            throws Exception {
        try (TcpProxy proxy = new TcpProxy(postgres.port())) {
            Connection leader =
                    connect("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + ProcessPostgresServer.DATABASE);
            if (!tryLock(leader)) {
                throw new IllegalStateException("The lock is taken before the cut");
            }
            try (Connection follower = connect(postgres.jdbcUrl())) {
                long cutAt = System.nanoTime();
                proxy.hold(Direction.UPSTREAM, Direction.DOWNSTREAM);
                long deadline = cutAt + window.toNanos();
                while (System.nanoTime() < deadline) {
                    if (tryLock(follower)) {
                        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt);
                    }
                    Thread.sleep(poll.toMillis()); // the follower's poll interval, the design's own
                }
                return null;
            } finally {
                leader.abort(Runnable::run);
            }
        }
    }

    private static void pollUntilLocked(
            Connection follower, Duration poll, long crashedAt, CompletableFuture<Long> first) {
        try {
            // a follower's next try comes at a random point of its interval after the crash
            Thread.sleep((long) (Math.random() * poll.toMillis()));
            while (!first.isDone()) {
                if (tryLock(follower)) {
                    first.complete(System.nanoTime());
                    return;
                }
                Thread.sleep(poll.toMillis());
            }
        } catch (SQLException ex) {
            first.completeExceptionally(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean tryLock(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            statement.setLong(1, KEY);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getBoolean(1);
            }
        }
    }

    private static Connection connect(String jdbcUrl) throws SQLException {
        return DriverManager.getConnection(jdbcUrl, ProcessPostgresServer.USER, "");
    }
}
