package dev.leaderelection.benchmarks;

import dev.leaderelection.ElectionScheduler;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.testing.zookeeper.ZooKeeperStoreServer;
import dev.leaderelection.zookeeper.ZooKeeperLeaseStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * ZooKeeper for the benchmarks: a standalone server in a JVM of its own ({@link ZooKeeperStoreServer});
 * each elector has a Curator client (a session) of its own, wired as the starter wires it. The
 * harness counts the packets the server received ({@code srvr}: client requests and the sessions'
 * pings, both a follower's cost) and reads the server JVM's CPU time from {@code /proc}. It cannot
 * tell when a lease ends (the lease is judged on the nodes' {@code mtime} by the store itself) nor
 * who listens for releases, so those columns say n/a.
 */
final class ZooKeeperBenchmarkStore implements BenchmarkStore {

    private static final Pattern RECEIVED = Pattern.compile("(?m)^Received: (\\d+)");
    private static final Pattern VERSION = Pattern.compile("(?m)^Zookeeper version: ([0-9.]+)");
    /** USER_HZ: the unit of utime and stime in {@code /proc/<pid>/stat} on Linux. */
    private static final double CLOCK_TICKS_PER_SECOND = 100.0;

    private final ZooKeeperStoreServer server;
    private final String version;

    /** Runs on {@code server}, started, and closes it on {@link #close()}. */
    ZooKeeperBenchmarkStore(ZooKeeperStoreServer server) {
        this.server = server;
        Matcher version = VERSION.matcher(srvr());
        this.version = version.find() ? version.group(1) : "?";
    }

    @Override
    public String name() {
        return "zookeeper";
    }

    @Override
    public String displayName() {
        return "ZooKeeper";
    }

    @Override
    public String server() {
        return "ZooKeeper " + version + " (standalone)";
    }

    @Override
    public String connection() {
        return server.zookeeper().connectString();
    }

    /** Every elector has a session of its own, as separate applications would: {@code shared} changes nothing. */
    @Override
    public Elector elector(
            String election, String instanceId, ElectionTimings timings, ElectionScheduler scheduler, boolean shared) {
        return elector(connection(), election, instanceId, timings, scheduler);
    }

    /**
     * An elector on the ZooKeeper server at {@code connectString}: a Curator client with the lease as
     * its session timeout, a {@link ZooKeeperLeaseStore} on the default root path, as the starter
     * wires them.
     */
    static Elector elector(
            String connectString,
            String election,
            String instanceId,
            ElectionTimings timings,
            ElectionScheduler scheduler) {
        int sessionTimeout = (int) timings.leaseDuration().toMillis();
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(sessionTimeout)
                .connectionTimeoutMs(Math.min(sessionTimeout, 15_000))
                .retryPolicy(new ExponentialBackoffRetry(100, 29, 2_000))
                .build();
        client.start();
        ZooKeeperLeaseStore store = new ZooKeeperLeaseStore(client, ZooKeeperLeaseStore.DEFAULT_ROOT_PATH);
        LeaseLeaderElector elector = new LeaseLeaderElector(election, instanceId, store, timings, scheduler);
        return new Elector(elector, () -> {
            store.close();
            client.close();
        });
    }

    @Override
    public Optional<Counter> counter() {
        return Optional.of(() -> {
            long nanos = System.nanoTime();
            Matcher received = RECEIVED.matcher(srvr());
            if (!received.find()) {
                throw new IllegalStateException("ZooKeeper's srvr did not say how many packets it received");
            }
            long packets = Long.parseLong(received.group(1));
            return new RedisStats.Snapshot(nanos, packets, packets, cpuSeconds(), version);
        });
    }

    @Override
    public OptionalLong remainingLeaseMillis(String election) {
        return OptionalLong.empty();
    }

    @Override
    public OptionalLong releaseListeners(String election) {
        return OptionalLong.empty();
    }

    @Override
    public void close() {
        server.close();
    }

    /** The {@code srvr} four-letter word's answer (a connection of its own, not counted as packets). */
    private String srvr() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.zookeeper().port()), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException ex) {
            throw new UncheckedIOException("ZooKeeper's srvr did not answer", ex);
        }
    }

    /** User plus system CPU time of the server's JVM. */
    private double cpuSeconds() {
        try {
            String stat = Files.readString(
                    Path.of("/proc", Long.toString(server.zookeeper().pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is field 3, utime 14, stime 15 (1-based), so indexes 11 and 12 here
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS_PER_SECOND;
        } catch (IOException ex) {
            return 0;
        }
    }
}
