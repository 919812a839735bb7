package dev.leaderelection.testing.redis;

import dev.leaderelection.testing.process.LogDirectories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A replicated Redis behind Sentinel, all {@code redis-server} processes of the same binary on the
 * loopback address: a primary, two replicas and three sentinels (quorum two) that monitor it as
 * {@value #MASTER_NAME}. A test kills or freezes the primary with the {@link ProcessRedisServer}
 * that {@link #primary()} returns and {@linkplain #awaitPromotionFrom waits} for Sentinel to promote
 * a replica.
 *
 * <pre>{@code
 * try (SentinelTopology redis = SentinelTopology.start(Duration.ofSeconds(1))) {
 *     ProcessRedisServer old = redis.primary();
 *     old.kill();
 *     ProcessRedisServer promoted = redis.awaitPromotionFrom(old);
 *     redis.rejoinAsReplica(old);
 * }
 * }</pre>
 */
public final class SentinelTopology implements AutoCloseable {

    /** The name under which the sentinels monitor the primary. */
    public static final String MASTER_NAME = "leader-election";

    private static final int REPLICAS = 2;
    private static final int SENTINELS = 3;
    private static final int QUORUM = 2;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final List<ProcessRedisServer> servers = new ArrayList<>();
    private final List<ProcessRedisServer> sentinels = new ArrayList<>();
    private final Duration downAfter;

    private SentinelTopology(Duration downAfter) {
        this.downAfter = downAfter;
    }

    /**
     * Starts the six processes and waits until every sentinel knows both replicas and the two other
     * sentinels, so that a failover can start at once.
     *
     * @param downAfter how long a primary goes unanswered before a sentinel deems it down ({@code
     *     down-after-milliseconds}); a failover follows within a few seconds more
     */
    public static SentinelTopology start(Duration downAfter) {
        SentinelTopology topology = new SentinelTopology(downAfter);
        try {
            topology.launch();
            return topology;
        } catch (RuntimeException ex) {
            topology.close();
            throw ex;
        }
    }

    private void launch() {
        // Any server may become the primary: none waits for more replicas before a full sync.
        List<String> noSyncDelay = List.of("--repl-diskless-sync-delay", "0");
        ProcessRedisServer first = new ProcessRedisServer(null, noSyncDelay);
        servers.add(first);
        first.start();
        for (int i = 0; i < REPLICAS; i++) {
            List<String> arguments = new ArrayList<>(noSyncDelay);
            arguments.addAll(List.of("--replicaof", LocalPorts.HOST, Integer.toString(first.port())));
            ProcessRedisServer replica = new ProcessRedisServer(null, arguments);
            servers.add(replica);
            replica.start();
        }
        for (ProcessRedisServer replica : servers.subList(1, servers.size())) {
            replica.awaitReplicationLinkUp();
        }
        for (int i = 0; i < SENTINELS; i++) {
            ProcessRedisServer sentinel = new ProcessRedisServer(sentinelConfig(first.port()), List.of("--sentinel"));
            sentinels.add(sentinel);
            sentinel.start();
        }
        Polling.await(
                READY_TIMEOUT,
                this::everySentinelSeesTheWholeTopology,
                () -> "The sentinels did not discover " + REPLICAS + " replicas and each other within " + READY_TIMEOUT
                        + ": " + describe());
    }

    private Path sentinelConfig(int primaryPort) {
        try {
            Path file = Files.createTempFile(LogDirectories.create("redis-logs"), "sentinel-", ".conf");
            Files.writeString(
                    file,
                    String.join(
                            "\n",
                            "sentinel monitor " + MASTER_NAME + " " + LocalPorts.HOST + " " + primaryPort + " "
                                    + QUORUM,
                            "sentinel down-after-milliseconds " + MASTER_NAME + " " + downAfter.toMillis(),
                            "sentinel failover-timeout " + MASTER_NAME + " 10000",
                            "sentinel parallel-syncs " + MASTER_NAME + " " + REPLICAS,
                            ""));
            return file;
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot write a sentinel configuration file", ex);
        }
    }

    /** The name under which the sentinels monitor the primary: {@value #MASTER_NAME}. */
    public String masterName() {
        return MASTER_NAME;
    }

    /** The sentinels, for {@code host:port} lists such as {@code spring.data.redis.sentinel.nodes}. */
    public List<ProcessRedisServer> sentinels() {
        return List.copyOf(sentinels);
    }

    /** The sentinels as {@code host:port,host:port,...}, the form of {@code spring.data.redis.sentinel.nodes}. */
    public String sentinelNodes() {
        return sentinels.stream()
                .map(sentinel -> sentinel.host() + ":" + sentinel.port())
                .collect(Collectors.joining(","));
    }

    /** The three data servers, the primary among them. */
    public List<ProcessRedisServer> servers() {
        return List.copyOf(servers);
    }

    /** The server that a running sentinel names as the primary now. */
    public ProcessRedisServer primary() {
        for (ProcessRedisServer sentinel : sentinels) {
            Integer port = reportedPrimaryPort(sentinel);
            if (port != null) {
                return server(port);
            }
        }
        throw new IllegalStateException("No sentinel names a primary: " + describe());
    }

    /**
     * Waits until every sentinel names another server than {@code old} as the primary and that
     * server serves writes ({@code role:master}), then returns it.
     */
    public ProcessRedisServer awaitPromotionFrom(ProcessRedisServer old, Duration timeout) {
        Polling.await(
                timeout,
                () -> {
                    Integer port = agreedPrimaryPort();
                    return port != null
                            && port != old.port()
                            && "master".equals(server(port).info("replication", "role"));
                },
                () -> "Sentinel did not promote a replica of " + old + " within " + timeout + ": " + describe());
        return primary();
    }

    /**
     * Brings back a server that was the primary, as a replica of the current one: starts it if it was
     * killed (it comes back empty), resumes it if it was frozen, and waits until every server other
     * than the primary replicates it, as Sentinel reconfigures them.
     */
    public void rejoinAsReplica(ProcessRedisServer server, Duration timeout) {
        ProcessRedisServer primary = primary();
        if (server == primary) {
            throw new IllegalStateException(server + " is still the primary");
        }
        if (server.isRunning()) {
            server.resume();
        } else {
            server.start();
            // It would start as an empty primary; no client reaches it, since Sentinel names another.
            server.replicate(primary.port());
        }
        awaitReplicasInSync(timeout);
    }

    /**
     * Waits until every server other than the one the sentinels name replicates it, its link up and
     * no sync in progress: then a {@code WAIT} for every replica can be answered. After a failover,
     * Sentinel reconfigures the replica that was not promoted on its own schedule.
     */
    public void awaitReplicasInSync(Duration timeout) {
        ProcessRedisServer primary = primary();
        for (ProcessRedisServer replica : servers) {
            if (replica != primary) {
                Polling.await(
                        timeout,
                        () -> replicates(replica, primary),
                        () -> replica + " does not replicate " + primary + " within " + timeout + ": " + describe());
            }
        }
    }

    private static boolean replicates(ProcessRedisServer replica, ProcessRedisServer primary) {
        try {
            return "slave".equals(replica.info("replication", "role"))
                    && Objects.equals(Integer.toString(primary.port()), replica.info("replication", "master_port"))
                    && "up".equals(replica.info("replication", "master_link_status"))
                    && "0".equals(replica.info("replication", "master_sync_in_progress"));
        } catch (UncheckedIOException ex) {
            return false; // Sentinel reconfiguring a replica disconnects its clients (CLIENT KILL type normal)
        }
    }

    /** What each sentinel reports: the primary's address and how many replicas and sentinels it knows. */
    public String describe() {
        StringBuilder description = new StringBuilder();
        for (ProcessRedisServer sentinel : sentinels) {
            description.append("\n  sentinel ").append(sentinel.port()).append(": ");
            try {
                Map<String, String> master = master(sentinel);
                description
                        .append("primary port ")
                        .append(master.get("port"))
                        .append(", flags ")
                        .append(master.get("flags"))
                        .append(", replicas ")
                        .append(master.get("num-slaves"))
                        .append(", other sentinels ")
                        .append(master.get("num-other-sentinels"));
            } catch (RuntimeException ex) {
                description.append(ex.getMessage());
            }
        }
        return description.toString();
    }

    @Override
    public void close() {
        for (ProcessRedisServer process : sentinels) {
            process.close();
        }
        for (ProcessRedisServer process : servers) {
            process.close();
        }
    }

    @Override
    public String toString() {
        return "Sentinel topology " + MASTER_NAME + " (sentinels " + sentinelNodes() + ")";
    }

    private boolean everySentinelSeesTheWholeTopology() {
        for (ProcessRedisServer sentinel : sentinels) {
            Map<String, String> master = master(sentinel);
            if (!Integer.toString(REPLICAS).equals(master.get("num-slaves"))
                    || !Integer.toString(SENTINELS - 1).equals(master.get("num-other-sentinels"))) {
                return false;
            }
        }
        return true;
    }

    /** The port every running, unfrozen sentinel names, or {@code null} while they disagree. */
    private @Nullable Integer agreedPrimaryPort() {
        Integer agreed = null;
        for (ProcessRedisServer sentinel : sentinels) {
            Integer port = reportedPrimaryPort(sentinel);
            if (port == null || (agreed != null && !agreed.equals(port))) {
                return null;
            }
            agreed = port;
        }
        return agreed;
    }

    private static @Nullable Integer reportedPrimaryPort(ProcessRedisServer sentinel) {
        try {
            String reply = sentinel.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
            return reply == null ? null : Integer.valueOf(reply.split("\n")[1]);
        } catch (RuntimeException ex) {
            return null;
        }
    }

    private static Map<String, String> master(ProcessRedisServer sentinel) {
        String reply = Objects.requireNonNull(sentinel.command("SENTINEL", "MASTER", MASTER_NAME));
        String[] lines = reply.split("\n");
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i + 1 < lines.length; i += 2) {
            fields.put(lines[i], lines[i + 1]);
        }
        return fields;
    }

    private ProcessRedisServer server(int port) {
        return servers.stream()
                .filter(server -> server.port() == port)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No server of this topology listens on port " + port));
    }
}
