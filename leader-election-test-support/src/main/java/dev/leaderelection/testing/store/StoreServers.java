package dev.leaderelection.testing.store;

import dev.leaderelection.testing.etcd.EtcdStoreServer;
import dev.leaderelection.testing.file.FileStoreServer;
import dev.leaderelection.testing.jdbc.JdbcStoreServer;
import dev.leaderelection.testing.redis.RedisStoreServer;
import dev.leaderelection.testing.zookeeper.ZooKeeperStoreServer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Starts the server of a store picked by name: the fault suite, the benchmarks and the demo call
 * {@link #start(String)} with {@code leader.election.store}'s value and use the {@link StoreServer}.
 *
 * <p>A store plugs in with one case in {@link #start(String)} and its name in {@link #AVAILABLE}.
 */
public final class StoreServers {

    /** Every store name the project knows, as {@code leader.election.store} spells it. */
    public static final List<String> KNOWN = List.of("redis", "jdbc", "etcd", "zookeeper", "kubernetes", "file");

    /** The stores whose server can be started here, in the order the suites run them. */
    public static final List<String> AVAILABLE = List.of("redis", "jdbc", "etcd", "zookeeper", "file");

    private StoreServers() {}

    /**
     * The store name that {@code name} stands for: trimmed, lower case, {@code postgres} and {@code
     * postgresql} taken as {@code jdbc}.
     *
     * @throws IllegalArgumentException if no store has that name
     */
    public static String canonicalName(String name) {
        String store = name.trim().toLowerCase(Locale.ROOT);
        if (store.equals("postgres") || store.equals("postgresql")) {
            store = "jdbc";
        }
        if (!KNOWN.contains(store)) {
            throw new IllegalArgumentException(
                    "Unknown store '" + name + "': one of " + String.join(", ", KNOWN) + " (postgres = jdbc)");
        }
        return store;
    }

    /**
     * Starts the server of {@code store} (a name {@link #canonicalName} accepts) and returns it
     * running.
     *
     * @throws IllegalArgumentException if the store is unknown
     * @throws UnsupportedOperationException if the store is known but its server cannot be started
     *     from this build yet
     */
    public static StoreServer start(String store) {
        String name = canonicalName(store);
        StoreServer server = switch (name) {
            case "redis" -> new RedisStoreServer();
            case "file" -> new FileStoreServer();
            case "etcd" -> new EtcdStoreServer();
            case "jdbc" -> new JdbcStoreServer();
            case "zookeeper" -> new ZooKeeperStoreServer();
            default ->
                throw new UnsupportedOperationException(
                        "The " + name + " store has no server launcher in this build yet; available: "
                                + String.join(", ", AVAILABLE));
        };
        try {
            server.start();
        } catch (RuntimeException ex) {
            server.close();
            throw ex;
        }
        return server;
    }

    /**
     * The stores a suite should run, from the comma-separated system property {@code property}
     * (default: {@code redis}), each checked with {@link #canonicalName}; {@code all} stands for
     * every {@link #AVAILABLE} store.
     */
    public static List<String> fromSystemProperty(String property) {
        String value = System.getProperty(property, "redis").trim();
        if (value.equalsIgnoreCase("all")) {
            return AVAILABLE;
        }
        return Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(part -> !part.isEmpty())
                .map(StoreServers::canonicalName)
                .distinct()
                .toList();
    }
}
