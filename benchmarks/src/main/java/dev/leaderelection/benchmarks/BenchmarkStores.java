package dev.leaderelection.benchmarks;

import dev.leaderelection.ElectionScheduler;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.testing.file.FileStoreServer;
import dev.leaderelection.testing.jdbc.JdbcStoreServer;
import dev.leaderelection.testing.redis.RedisServers;
import dev.leaderelection.testing.redis.RedisServers.Backend;
import dev.leaderelection.testing.store.StoreServers;
import dev.leaderelection.testing.zookeeper.ZooKeeperStoreServer;
import java.util.ArrayList;
import java.util.List;

/**
 * The stores the benchmarks run: Redis always (the report's reference), then those the system
 * property {@value #PROPERTY} adds (comma-separated {@code leader.election.store} names, or {@code
 * all}). A store plugs in with a {@link BenchmarkStore} and one case in {@link #start} and in
 * {@link #elector}.
 */
final class BenchmarkStores {

    /** The system property that lists the stores, e.g. {@code -Dbenchmarks.stores=jdbc,zookeeper}. */
    static final String PROPERTY = "benchmarks.stores";

    private BenchmarkStores() {}

    /** Redis, then the stores {@value #PROPERTY} names. */
    static List<String> names() {
        List<String> names = new ArrayList<>(List.of("redis"));
        StoreServers.fromSystemProperty(PROPERTY).stream()
                .filter(name -> !names.contains(name))
                .forEach(names::add);
        return names;
    }

    /** Starts the server of {@code store} for a run. */
    static BenchmarkStore start(String store) {
        return switch (StoreServers.canonicalName(store)) {
            case "redis" -> new RedisBenchmarkStore(RedisServers.start(Backend.PROCESS), true);
            case "file" -> new FileBenchmarkStore((FileStoreServer) StoreServers.start("file"));
            case "etcd" -> new EtcdBenchmarkStore(StoreServers.start("etcd"));
            case "jdbc" -> new JdbcBenchmarkStore((JdbcStoreServer) StoreServers.start("jdbc"));
            case "zookeeper" -> new ZooKeeperBenchmarkStore((ZooKeeperStoreServer) StoreServers.start("zookeeper"));
            default ->
                throw new UnsupportedOperationException(
                        "The benchmarks cannot run the " + store + " store in this build yet");
        };
    }

    /**
     * An elector in an {@link ElectorApp} child, from what {@link BenchmarkStore#connection()} gave
     * the child.
     */
    static BenchmarkStore.Elector elector(
            String store,
            String connection,
            String election,
            String instanceId,
            ElectionTimings timings,
            ElectionScheduler scheduler) {
        return switch (StoreServers.canonicalName(store)) {
            case "redis" ->
                RedisBenchmarkStore.elector(
                        Integer.parseInt(connection), null, election, instanceId, timings, scheduler);
            case "file" -> FileBenchmarkStore.elector(connection, election, instanceId, timings, scheduler);
            case "etcd" -> EtcdBenchmarkStore.elector(connection, election, instanceId, timings, scheduler);
            case "jdbc" -> JdbcBenchmarkStore.elector(connection, election, instanceId, timings, scheduler);
            case "zookeeper" -> ZooKeeperBenchmarkStore.elector(connection, election, instanceId, timings, scheduler);
            default -> throw new UnsupportedOperationException("No benchmark elector for the " + store + " store");
        };
    }
}
