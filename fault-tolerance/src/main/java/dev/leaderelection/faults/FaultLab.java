package dev.leaderelection.faults;

import dev.leaderelection.faults.HistoryChecker.Freeze;
import dev.leaderelection.testing.process.AppProcess;
import dev.leaderelection.testing.process.LeaderStatus;
import dev.leaderelection.testing.proxy.TcpProxy;
import dev.leaderelection.testing.redis.ProcessRedisServer;
import dev.leaderelection.testing.redis.RedisStoreServer;
import dev.leaderelection.testing.store.StoreServer;
import dev.leaderelection.testing.store.StoreServer.Capability;
import dev.leaderelection.testing.store.StoreServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The system under test: one store server (a {@link StoreServer}, picked by name), the observing
 * destination, and sample-app instances as separate JVMs, each talking to the store through a {@link
 * TcpProxy} of its own (where the store has a port) so that a test can cut one instance off. Freezes
 * are recorded for the {@link HistoryChecker}.
 *
 * <p>On Redis, for failovers the lab adds a replica of that server (the primary), which replicates through a
 * proxy of its own, the {@linkplain #replicationLink() replication link}, so that a test can hold
 * back the replication stream. The instances' proxies together stand for the one address of Redis:
 * {@link #moveRedis} moves them all to another server.
 */
public final class FaultLab implements AutoCloseable {

    /** The sample app's lease duration, as the suite configures it. */
    public static final Duration LEASE = Duration.ofSeconds(2);

    private static final long POLL_MILLIS = 20;
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);

    private final Path appJar;
    private final Path logDir;
    private final StoreServer store;
    private final ObservingDestination destination = new ObservingDestination();
    private final Map<String, TcpProxy> proxies = new LinkedHashMap<>();
    private final Map<String, AppProcess> apps = new LinkedHashMap<>();
    private final List<Freeze> freezes = new CopyOnWriteArrayList<>();
    private final long originNanos = System.nanoTime();
    private final Instant originWall = Instant.now();
    private volatile int storePort;
    private @Nullable TcpProxy replicationLink;
    private @Nullable ProcessRedisServer replica;
    private int launches;

    /** A lab on Redis. */
    public FaultLab(Path appJar, Path logDir) {
        this("redis", appJar, logDir);
    }

    /** A lab on the server of {@code store} (a {@code leader.election.store} name), started by {@link StoreServers}. */
    public FaultLab(String store, Path appJar, Path logDir) {
        this(StoreServers.start(store), appJar, logDir);
    }

    /** A lab on {@code store}, a started server (such as a Sentinel topology) that the lab closes. */
    public FaultLab(StoreServer store, Path appJar, Path logDir) {
        this.appJar = appJar;
        this.logDir = logDir;
        try {
            Files.createDirectories(logDir);
        } catch (IOException ex) {
            store.close();
            throw new UncheckedIOException("Cannot create " + logDir, ex);
        }
        this.store = store;
        storePort = this.store.port().orElse(0);
    }

    /** Starts (or restarts, after a kill or stop) instance {@code name}. */
    public synchronized AppProcess launch(String name) {
        List<String> arguments = new ArrayList<>();
        if (store.supports(Capability.PROXY)) {
            TcpProxy proxy = proxies.computeIfAbsent(name, ignored -> new TcpProxy(storePort));
            arguments.addAll(StoreServer.arguments(store.applicationProperties(proxy.port())));
        } else {
            arguments.addAll(StoreServer.arguments(store.applicationProperties()));
        }
        arguments.addAll(List.of(
                "--telnet.host=127.0.0.1",
                "--telnet.port=" + destination.port(),
                "--telnet.keep-alive-interval=100ms",
                "--leader.election.instance-id=" + name,
                "--leader.election.lease-duration=" + LEASE.toMillis() + "ms",
                "--management.endpoint.leader.access=unrestricted",
                "--spring.main.banner-mode=off"));
        AppProcess app = AppProcess.launch(name, appJar, logDir.resolve(name + "-" + (++launches) + ".log"), arguments);
        apps.put(name, app);
        return app;
    }

    public synchronized AppProcess app(String name) {
        return Optional.ofNullable(apps.get(name)).orElseThrow(() -> new IllegalArgumentException(name));
    }

    public synchronized List<String> names() {
        return List.copyOf(apps.keySet());
    }

    /**
     * The proxy between instance {@code name} and the store.
     *
     * @throws IllegalStateException if the store has no port to proxy (see {@link Capability#PROXY})
     */
    public TcpProxy proxy(String name) {
        if (!store.supports(Capability.PROXY)) {
            throw new IllegalStateException(store.displayName() + " has no port that a proxy could stand in front of");
        }
        return proxies.get(name);
    }

    /** The store's server. */
    public StoreServer store() {
        return store;
    }

    /**
     * The Redis primary: the server the instances reach unless a test {@linkplain #moveRedis moved}
     * them.
     *
     * @throws IllegalStateException if the lab does not run on Redis
     */
    public ProcessRedisServer redis() {
        if (store instanceof RedisStoreServer redis) {
            return redis.redis();
        }
        throw new IllegalStateException("Redis only: this lab runs on " + store.displayName());
    }

    /**
     * The replica, created on first use and not started: it replicates the primary through the
     * {@linkplain #replicationLink() replication link}, and again after every restart.
     */
    public synchronized ProcessRedisServer replica() {
        if (replica == null) {
            replica = ProcessRedisServer.replicaOf(replicationLink().port());
        }
        return replica;
    }

    /** The proxy between the replica and the primary: holding its replies holds back replication. */
    public synchronized TcpProxy replicationLink() {
        if (replicationLink == null) {
            replicationLink = new TcpProxy(redis().port());
        }
        return replicationLink;
    }

    /**
     * Restarts the primary empty and the replica empty, attached through a healed replication link,
     * and waits until the replica is in sync. Meanwhile the instances reach no Redis: a test
     * {@linkplain #moveRedis moves} them to the primary when it is ready.
     */
    public void restartPrimaryWithReplica() {
        moveRedis(unusedPort(), true);
        ProcessRedisServer redis = redis();
        ProcessRedisServer standby = replica();
        standby.kill();
        redis.kill();
        replicationLink().resetConnections(); // held bytes of the last replication are lost, then heal
        replicationLink().heal();
        redis.start();
        redis.command("CONFIG", "SET", "repl-diskless-sync-delay", "0"); // sync at once, not in 5 s
        standby.start();
        await(
                "the replica in sync with the primary",
                SYNC_TIMEOUT,
                () -> "1".equals(redis.command("WAIT", "1", "100")),
                () -> String.valueOf(standby.command("INFO", "replication")));
    }

    /**
     * Moves the one address of Redis, every instance's proxy and those of later launches, to {@code
     * port}: resetting the instances' connections (a DNS or virtual IP move) or keeping them open and
     * reconnecting their server side only (a managed Redis proxy).
     */
    public void moveRedis(int port, boolean resetClients) {
        storePort = port;
        proxies().forEach(proxy -> proxy.retarget(port, resetClients));
    }

    /**
     * Whether the instances' proxies keep the instances' connections open when Redis dies, their
     * requests waiting for the next {@link #moveRedis move}, as a managed Redis proxy does.
     */
    public void keepConnectionsWhenRedisDies(boolean keep) {
        proxies().forEach(proxy -> proxy.keepClients(keep));
    }

    /** Stops the replica and puts the instances back on the primary, started empty if it was down. */
    public void restorePrimary() {
        replica().kill();
        replicationLink().resetConnections();
        replicationLink().heal();
        redis().start();
        moveRedis(redis().port(), true);
    }

    public ObservingDestination destination() {
        return destination;
    }

    /** The status of every instance, by name. */
    public Map<String, LeaderStatus> statuses() {
        Map<String, LeaderStatus> statuses = new LinkedHashMap<>();
        names().forEach(name -> statuses.put(name, app(name).status()));
        return statuses;
    }

    /**
     * Waits for exactly one leader, other than {@code not}, that holds the only open session, and
     * every other running instance following; returns its name.
     */
    public String awaitOneLeader(Duration timeout, String... not) {
        String[] leader = new String[1];
        await(
                "one leader holding the only session" + (not.length > 0 ? " (not " + String.join(", ", not) + ")" : ""),
                timeout,
                () -> {
                    leader[0] = soleLeaderWithSession().orElse(null);
                    return leader[0] != null && !List.of(not).contains(leader[0]);
                },
                () -> statuses() + ", open sessions " + openSessionHolders());
        return leader[0];
    }

    /** Freezes {@code name} (SIGSTOP) and records the freeze until {@link #thaw}. */
    public void freeze(String name) {
        app(name).freeze();
        freezes.add(new Freeze(name, System.nanoTime(), Long.MAX_VALUE));
    }

    public void thaw(String name) {
        long now = System.nanoTime();
        freezes.replaceAll(freeze -> freeze.instance().equals(name) && freeze.to() == Long.MAX_VALUE
                ? new Freeze(name, freeze.from(), now)
                : freeze);
        app(name).thaw();
    }

    /** Checks the sessions still open at {@code sinceNanos} or begun after it. */
    public HistoryChecker.Verdict verdictSince(long sinceNanos) {
        List<Session> sessions = destination.sessions().stream()
                .filter(session -> session.closedAt() >= sinceNanos)
                .toList();
        return HistoryChecker.check(sessions, List.copyOf(freezes));
    }

    /** The wall-clock time of a destination timestamp. */
    public Instant wallClock(long nanos) {
        return originWall.plusNanos(nanos - originNanos);
    }

    /** The session {@code name} holds open right now. */
    public Session openSessionOf(String name) {
        return destination.sessions().stream()
                .filter(session -> session.isOpen() && name.equals(session.instance()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " holds no open session"));
    }

    /** Connection {@code connection} as observed now. */
    public Session session(int connection) {
        return destination.sessions().stream()
                .filter(session -> session.connection() == connection)
                .findFirst()
                .orElseThrow();
    }

    /** Polls {@code condition} every 20 ms until it holds. */
    public static void await(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Expected " + what + " within " + timeout + "; state: " + state.get());
            }
            pause(Duration.ofMillis(POLL_MILLIS));
        }
    }

    /** Lets a fault last {@code duration}: the fault's length, not a synchronisation. */
    public static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", ex);
        }
    }

    @Override
    public synchronized void close() {
        apps.values().forEach(app -> {
            if (app.status().equals(LeaderStatus.FROZEN)) {
                app.thaw();
            }
            app.stop();
        });
        proxies.values().forEach(TcpProxy::close);
        destination.close();
        if (replica != null) {
            replica.close();
        }
        if (replicationLink != null) {
            replicationLink.close();
        }
        store.close();
    }

    private synchronized List<TcpProxy> proxies() {
        return List.copyOf(proxies.values());
    }

    /** A loopback port where nothing listens: connections to it are refused, as to a dead Redis. */
    private static int unusedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException ex) {
            throw new UncheckedIOException("No free port on the loopback address", ex);
        }
    }

    private Optional<String> soleLeaderWithSession() {
        Map<String, LeaderStatus> statuses = statuses();
        List<String> leaders = statuses.entrySet().stream()
                .filter(entry -> entry.getValue().isLeader())
                .map(Map.Entry::getKey)
                .toList();
        boolean othersFollow = statuses.values().stream()
                .allMatch(status ->
                        status.isLeader() || status.isGone() || status.role().equals("FOLLOWER"));
        if (leaders.size() == 1 && othersFollow && openSessionHolders().equals(leaders)) {
            return Optional.of(leaders.get(0));
        }
        return Optional.empty();
    }

    private List<String> openSessionHolders() {
        return destination.sessions().stream()
                .filter(Session::isOpen)
                .map(session -> String.valueOf(session.instance()))
                .toList();
    }
}
