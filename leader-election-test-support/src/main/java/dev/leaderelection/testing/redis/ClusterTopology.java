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
 * A Redis Cluster of three primaries with one replica each, all {@code redis-server} processes of the
 * same binary on the loopback address ({@code cluster-enabled yes}, bus ports picked free). The
 * cluster is formed over the protocol itself ({@code CLUSTER ADDSLOTSRANGE}, {@code MEET}, {@code
 * REPLICATE}), so it needs no {@code redis-cli}. A test kills or freezes a node with the {@link
 * ProcessRedisServer} that {@link #primaryOf(String)} returns, {@linkplain #awaitPromotionFrom waits}
 * for its replica to take over, hands a primary's slots to its replica on purpose ({@link
 * #failover}), or moves a slot to another primary step by step ({@link #beginMigration}).
 *
 * <pre>{@code
 * try (ClusterTopology cluster = ClusterTopology.start(Duration.ofSeconds(1))) {
 *     ProcessRedisServer old = cluster.primaryOf("{app:orders}:lease");
 *     old.kill();
 *     cluster.awaitPromotionFrom(old, Duration.ofSeconds(30));
 *     cluster.rejoin(old, Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>A node keeps its identity across a restart ({@code cluster-config-file} outside the data
 * directory): a killed primary comes back empty and the cluster makes it a replica of the node that
 * took over its slots.
 */
public final class ClusterTopology implements AutoCloseable {

    /** The number of hash slots of every Redis Cluster. */
    public static final int SLOTS = 16384;

    private static final int PRIMARIES = 3;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final List<ProcessRedisServer> nodes = new ArrayList<>();
    private final Map<ProcessRedisServer, String> ids = new HashMap<>();
    /** A slot of each primary, by node id, as of the last time the cluster was healthy. */
    private final Map<String, Integer> aSlotOf = new HashMap<>();

    private final Duration nodeTimeout;

    private ClusterTopology(Duration nodeTimeout) {
        this.nodeTimeout = nodeTimeout;
    }

    /**
     * Starts the six nodes, forms the cluster and waits until every node reports {@code
     * cluster_state:ok}, agrees on the slots and every replica is in sync.
     *
     * @param nodeTimeout how long a node goes unanswered before the others deem it failing ({@code
     *     cluster-node-timeout}); its replica takes over within about twice that
     */
    public static ClusterTopology start(Duration nodeTimeout) {
        ClusterTopology topology = new ClusterTopology(nodeTimeout);
        try {
            topology.launch();
            return topology;
        } catch (RuntimeException ex) {
            topology.close();
            throw ex;
        }
    }

    private void launch() {
        Path configs = configDirectory();
        for (int i = 0; i < 2 * PRIMARIES; i++) {
            int busPort = LocalPorts.findFree();
            ProcessRedisServer node = new ProcessRedisServer(
                    null,
                    List.of(
                            "--cluster-enabled",
                            "yes",
                            "--cluster-port",
                            Integer.toString(busPort),
                            "--cluster-config-file",
                            configs.resolve("nodes-" + i + ".conf").toString(),
                            "--cluster-node-timeout",
                            Long.toString(nodeTimeout.toMillis()),
                            // A replica takes over however long it was cut off: tests freeze primaries.
                            "--cluster-replica-validity-factor",
                            "0",
                            "--repl-diskless-sync-delay",
                            "0"));
            nodes.add(node);
            node.start();
            ids.put(node, Objects.requireNonNull(node.command("CLUSTER", "MYID")));
        }
        int first = 0;
        for (int i = 0; i < PRIMARIES; i++) {
            int last = i == PRIMARIES - 1 ? SLOTS - 1 : (i + 1) * SLOTS / PRIMARIES - 1;
            ProcessRedisServer primary = nodes.get(i);
            primary.command("CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
            primary.command("CLUSTER", "ADDSLOTSRANGE", Integer.toString(first), Integer.toString(last));
            first = last + 1;
        }
        ProcessRedisServer seed = nodes.get(0);
        for (ProcessRedisServer node : nodes.subList(1, nodes.size())) {
            seed.command(
                    "CLUSTER", "MEET", node.host(), Integer.toString(node.port()), Integer.toString(busPort(node)));
        }
        Polling.await(
                READY_TIMEOUT,
                () -> nodes.stream().allMatch(node -> knownNodes(node) == nodes.size()),
                () -> "The cluster nodes did not meet each other within " + READY_TIMEOUT + ": " + describe());
        for (int i = 0; i < PRIMARIES; i++) {
            nodes.get(PRIMARIES + i).command("CLUSTER", "REPLICATE", ids.get(nodes.get(i)));
        }
        awaitHealthy(READY_TIMEOUT);
    }

    /** Every node, primaries and replicas, in the order they were started. */
    public List<ProcessRedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** The nodes that serve slots now, as the running nodes see it. */
    public List<ProcessRedisServer> primaries() {
        return nodes.stream()
                .filter(node -> "master".equals(roleOf(node)))
                .filter(node -> !slotsOf(node).isEmpty())
                .toList();
    }

    /** Every node as {@code host:port,host:port,...}, the form of {@code spring.data.redis.cluster.nodes}. */
    public String clusterNodes() {
        return nodes.stream().map(node -> node.host() + ":" + node.port()).collect(Collectors.joining(","));
    }

    /** The hash slot of {@code key} ({@code CLUSTER KEYSLOT}). */
    public int slot(String key) {
        return Integer.parseInt(Objects.requireNonNull(anyRunning().command("CLUSTER", "KEYSLOT", key)));
    }

    /** The primary that serves the slot of {@code key} now, as a running node sees it. */
    public ProcessRedisServer primaryOf(String key) {
        return ownerOfSlot(slot(key));
    }

    /** The primary that serves {@code slot} now, as a running node sees it. */
    public ProcessRedisServer ownerOfSlot(int slot) {
        for (String[] line : clusterNodesLines(anyRunning())) {
            if (line[2].contains("master") && !line[2].contains("fail") && servesSlot(line, slot)) {
                return node(line[0]);
            }
        }
        throw new IllegalStateException("No primary serves slot " + slot + ": " + describe());
    }

    /** The replica of {@code primary}, as a running node sees it. */
    public ProcessRedisServer replicaOf(ProcessRedisServer primary) {
        String primaryId = ids.get(primary);
        for (String[] line : clusterNodesLines(anyRunning())) {
            if (line[3].equals(primaryId)) {
                return node(line[0]);
            }
        }
        throw new IllegalStateException(primary + " has no replica: " + describe());
    }

    /**
     * Waits until a node other than {@code old} serves the slots {@code old} served and every
     * running, unfrozen node reports {@code cluster_state:ok}; returns that node. For a primary that a
     * test killed or froze.
     */
    public ProcessRedisServer awaitPromotionFrom(ProcessRedisServer old, Duration timeout) {
        Integer slot = aSlotOf.get(ids.get(old));
        if (slot == null) {
            throw new IllegalStateException(old + " served no slots when the cluster was last healthy: " + describe());
        }
        Polling.await(
                timeout,
                () -> {
                    ProcessRedisServer observer = anyRunningBut(old);
                    return clusterNodesLines(observer).stream()
                                    .anyMatch(line -> !line[0].equals(ids.get(old))
                                            && line[2].contains("master")
                                            && servesSlot(line, slot))
                            && everyLiveNodeButIsOk(old);
                },
                () -> "No replica took over the slots of " + old + " within " + timeout + ": " + describe());
        return ownerOfSlot(slot);
    }

    /**
     * Hands the slots of {@code primary} to its replica with {@code CLUSTER FAILOVER} (the replica
     * catches up first, then both switch roles) and waits until the cluster agrees; returns the new
     * primary.
     */
    public ProcessRedisServer failover(ProcessRedisServer primary, Duration timeout) {
        ProcessRedisServer replica = replicaOf(primary);
        replica.command("CLUSTER", "FAILOVER");
        Polling.await(
                timeout,
                () -> "master".equals(roleOf(replica)) && "slave".equals(roleOf(primary)) && everyNodeIsOk(),
                () -> "The replica " + replica + " did not take over from " + primary + " within " + timeout + ": "
                        + describe());
        awaitHealthy(timeout);
        return replica;
    }

    /**
     * Brings back a node that a test killed or froze: starts it if it was killed (it comes back
     * empty, under its old identity) or resumes it, then waits until the cluster is healthy again:
     * it is a replica of the node that took over its slots, in sync.
     */
    public void rejoin(ProcessRedisServer node, Duration timeout) {
        if (node.isRunning()) {
            node.resume();
        } else {
            node.start();
        }
        awaitHealthy(timeout);
    }

    /**
     * Starts moving {@code slot} from its owner to {@code target}: {@code CLUSTER SETSLOT ...
     * IMPORTING} on the target, {@code MIGRATING} on the source. From now on the source answers
     * {@code ASK} for keys it no longer has, and {@code TRYAGAIN} for multi-key commands whose keys
     * are split between the two.
     */
    public Migration beginMigration(int slot, ProcessRedisServer target) {
        ProcessRedisServer source = ownerOfSlot(slot);
        if (source == target) {
            throw new IllegalArgumentException(target + " serves slot " + slot + " already");
        }
        target.command("CLUSTER", "SETSLOT", Integer.toString(slot), "IMPORTING", ids.get(source));
        source.command("CLUSTER", "SETSLOT", Integer.toString(slot), "MIGRATING", ids.get(target));
        return new Migration(slot, source, target);
    }

    /** Waits until every node reports {@code cluster_state:ok}, agrees on the slots, and every replica is in sync. */
    public void awaitHealthy(Duration timeout) {
        Polling.await(
                timeout,
                () -> everyNodeIsOk() && allAgree() && replicasInSync(),
                () -> "The cluster did not become healthy within " + timeout + ": " + describe());
        rememberSlots();
    }

    private void rememberSlots() {
        aSlotOf.clear();
        for (String[] line : clusterNodesLines(anyRunning())) {
            for (int i = 8; i < line.length; i++) {
                if (!line[i].startsWith("[")) {
                    aSlotOf.put(line[0], Integer.valueOf(line[i].split("-")[0]));
                    break;
                }
            }
        }
    }

    /** Each node's view: its role, state and the slots it serves. */
    public String describe() {
        StringBuilder description = new StringBuilder();
        for (ProcessRedisServer node : nodes) {
            description.append("\n  node ").append(node.port()).append(": ");
            try {
                description
                        .append(node.info("replication", "role"))
                        .append(", ")
                        .append(clusterInfo(node, "cluster_state"))
                        .append(", slots ")
                        .append(slotsOf(node));
            } catch (RuntimeException ex) {
                description.append(ex.getMessage());
            }
        }
        return description.toString();
    }

    @Override
    public void close() {
        for (ProcessRedisServer node : nodes) {
            node.close();
        }
    }

    @Override
    public String toString() {
        return "Redis Cluster " + clusterNodes();
    }

    /** A slot on its way from one primary to another; {@link #finish()} completes it. */
    public final class Migration {
        private final int slot;
        private final ProcessRedisServer source;
        private final ProcessRedisServer target;

        private Migration(int slot, ProcessRedisServer source, ProcessRedisServer target) {
            this.slot = slot;
            this.source = source;
            this.target = target;
        }

        /** The slot on the move. */
        public int slot() {
            return slot;
        }

        /** The primary the slot leaves. */
        public ProcessRedisServer source() {
            return source;
        }

        /** The primary the slot goes to. */
        public ProcessRedisServer target() {
            return target;
        }

        /** Moves {@code key} alone with {@code MIGRATE}, keeping its expiry; a key the source lacks is skipped. */
        public void moveKey(String key) {
            source.command("MIGRATE", target.host(), Integer.toString(target.port()), key, "0", "5000", "REPLACE");
        }

        /** Moves every key the source still has in the slot, a few at a time, as {@code redis-cli --cluster reshard} does. */
        public void moveAllKeys() {
            while (true) {
                String reply = source.command("CLUSTER", "GETKEYSINSLOT", Integer.toString(slot), "10");
                if (reply == null || reply.isEmpty()) {
                    return;
                }
                List<String> command = new ArrayList<>(List.of(
                        "MIGRATE", target.host(), Integer.toString(target.port()), "", "0", "5000", "REPLACE", "KEYS"));
                command.addAll(List.of(reply.split("\n")));
                source.command(command.toArray(String[]::new));
            }
        }

        /**
         * Moves what is left and gives the slot to the target on every node ({@code CLUSTER SETSLOT
         * ... NODE}), target first, as {@code redis-cli} does; waits until every node agrees.
         */
        public void finish(Duration timeout) {
            moveAllKeys();
            String targetId = ids.get(target);
            target.command("CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", targetId);
            source.command("CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", targetId);
            for (ProcessRedisServer node : nodes) {
                if (node != source && node != target && "master".equals(roleOf(node))) {
                    node.command("CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", targetId);
                }
            }
            Polling.await(
                    timeout,
                    () -> nodes.stream()
                            .filter(ClusterTopology::isAnswering)
                            .allMatch(node -> clusterNodesLines(node).stream()
                                    .anyMatch(line -> line[0].equals(targetId) && servesSlot(line, slot))),
                    () -> "The nodes did not agree that " + target + " serves slot " + slot + " within " + timeout
                            + ": " + describe());
            rememberSlots();
        }
    }

    private boolean everyNodeIsOk() {
        return nodes.stream().allMatch(node -> isAnswering(node) && "ok".equals(clusterInfo(node, "cluster_state")));
    }

    private boolean everyLiveNodeButIsOk(ProcessRedisServer excluded) {
        return nodes.stream()
                .filter(node -> node != excluded && isAnswering(node))
                .allMatch(node -> "ok".equals(clusterInfo(node, "cluster_state")));
    }

    /** Whether every node names the same primary for every slot range, and none is still failing. */
    private boolean allAgree() {
        String first = null;
        for (ProcessRedisServer node : nodes) {
            String view = clusterNodesLines(node).stream()
                    .filter(line -> line[2].contains("master") && line.length > 8)
                    .map(line -> line[0] + String.join(" ", List.of(line).subList(8, line.length)))
                    .sorted()
                    .collect(Collectors.joining(";"));
            boolean failing = clusterNodesLines(node).stream().anyMatch(line -> line[2].contains("fail"));
            if (failing || (first != null && !first.equals(view))) {
                return false;
            }
            first = view;
        }
        return true;
    }

    private boolean replicasInSync() {
        for (ProcessRedisServer node : nodes) {
            if ("slave".equals(roleOf(node))
                    && (!"up".equals(node.info("replication", "master_link_status"))
                            || !"0".equals(node.info("replication", "master_sync_in_progress")))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAnswering(ProcessRedisServer node) {
        return node.isRunning() && Resp.answersPing(node.port());
    }

    private ProcessRedisServer anyRunning() {
        return nodes.stream()
                .filter(ClusterTopology::isAnswering)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No cluster node answers"));
    }

    private ProcessRedisServer anyRunningBut(ProcessRedisServer excluded) {
        return nodes.stream()
                .filter(node -> node != excluded && isAnswering(node))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No other cluster node answers"));
    }

    private static @Nullable String roleOf(ProcessRedisServer node) {
        try {
            return node.info("replication", "role");
        } catch (RuntimeException ex) {
            return null;
        }
    }

    private List<String> slotsOf(ProcessRedisServer node) {
        return slotsOfId(node, ids.get(node));
    }

    private static List<String> slotsOfId(ProcessRedisServer observer, String id) {
        for (String[] line : clusterNodesLines(observer)) {
            if (line[0].equals(id)) {
                return line.length > 8 ? List.of(line).subList(8, line.length) : List.of();
            }
        }
        return List.of();
    }

    private static boolean servesSlot(String[] line, int slot) {
        for (int i = 8; i < line.length; i++) {
            String range = line[i];
            if (range.startsWith("[")) {
                continue; // a slot being imported or migrated
            }
            String[] bounds = range.split("-");
            int from = Integer.parseInt(bounds[0]);
            int to = bounds.length > 1 ? Integer.parseInt(bounds[1]) : from;
            if (slot >= from && slot <= to) {
                return true;
            }
        }
        return false;
    }

    private static int knownNodes(ProcessRedisServer node) {
        return (int) clusterNodesLines(node).stream()
                .filter(line -> !line[2].contains("handshake"))
                .count();
    }

    /** {@code CLUSTER NODES}, one array of fields per node: id, address, flags, primary id, ..., slots. */
    private static List<String[]> clusterNodesLines(ProcessRedisServer observer) {
        try {
            String reply = Objects.requireNonNull(observer.command("CLUSTER", "NODES"));
            return reply.lines()
                    .filter(line -> !line.isBlank())
                    .map(line -> line.trim().split(" "))
                    .toList();
        } catch (RuntimeException ex) {
            return List.of();
        }
    }

    private static @Nullable String clusterInfo(ProcessRedisServer node, String field) {
        try {
            for (String line : String.valueOf(node.command("CLUSTER", "INFO")).split("\r?\n")) {
                if (line.startsWith(field + ":")) {
                    return line.substring(field.length() + 1).trim();
                }
            }
        } catch (RuntimeException ex) {
            // not answering
        }
        return null;
    }

    private ProcessRedisServer node(String id) {
        return ids.entrySet().stream()
                .filter(entry -> entry.getValue().equals(id))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No node of this cluster has the id " + id));
    }

    private int busPort(ProcessRedisServer node) {
        String port = node.command("CONFIG", "GET", "cluster-port");
        return Integer.parseInt(Objects.requireNonNull(port).split("\n")[1]);
    }

    private static Path configDirectory() {
        try {
            return Files.createTempDirectory(LogDirectories.create("redis-logs"), "cluster-")
                    .toAbsolutePath();
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot create a directory for the cluster configuration files", ex);
        }
    }
}
