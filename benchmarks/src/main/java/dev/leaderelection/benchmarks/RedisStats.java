package dev.leaderelection.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Counts what a Redis server did, from {@code INFO all} over a connection of its own, and tells
 * how long a key has to live and how many clients listen on a channel.
 *
 * <p>Two counts: <em>commands</em> as Redis counts them in {@code total_commands_processed}, which
 * includes every {@code redis.call} inside a Lua script, and <em>requests</em>, the commands clients
 * sent (one {@code EVALSHA} per store call), which leaves out the commands our scripts run inside.
 * The {@code INFO} calls of the counter itself are left out of both.
 */
final class RedisStats implements AutoCloseable {

    /**
     * The commands that the scripts call: the lease store's (its candidate set included), and those
     * of the side-by-side peers' locks (Redisson's hash lock, Spring Integration's string lock). No
     * benchmark client sends them itself. {@code PTTL} is not among them: an idle follower of this
     * project that knows the holder sends it plainly, as its whole poll. Scripts run it too (a full
     * acquire answered "held", Redisson's lock attempt), and those count as a request more here: an
     * upper bound on requests.
     */
    private static final Set<String> SCRIPT_COMMANDS = Set.of(
            "get",
            "set",
            "pexpire",
            "incr",
            "time",
            "del",
            "unlink",
            "exists",
            "publish",
            "hset",
            "hget",
            "hmget",
            "hdel",
            "hexists",
            "hincrby",
            "zadd",
            "zrangebyscore",
            "zremrangebyscore",
            "pubsub|channels");

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    /** Connects to the Redis server on the loopback {@code port}. */
    RedisStats(int port) {
        client = RedisClient.create(RedisURI.builder()
                .withHost(RedisConnections.HOST)
                .withPort(port)
                .withTimeout(Duration.ofSeconds(5))
                .build());
        connection = client.connect();
    }

    /** The counters now. */
    Snapshot snapshot() {
        long at = System.nanoTime();
        Map<String, String> info = parse(connection.sync().info("all"));
        long requests = 0;
        for (Map.Entry<String, String> entry : info.entrySet()) {
            if (entry.getKey().startsWith("cmdstat_")) {
                String command = entry.getKey().substring("cmdstat_".length());
                if (!command.equals("info") && !SCRIPT_COMMANDS.contains(command)) {
                    requests += calls(entry.getValue());
                }
            }
        }
        return new Snapshot(
                at,
                Long.parseLong(info.get("total_commands_processed")),
                requests,
                Double.parseDouble(info.get("used_cpu_user")) + Double.parseDouble(info.get("used_cpu_sys")),
                info.getOrDefault("redis_version", "unknown"));
    }

    /** How long {@code key} has to live, in milliseconds, as Redis itself sees it; negative if none. */
    long remainingMillis(String key) {
        return connection.sync().pttl(key);
    }

    /** How many clients subscribe to {@code channel} now. */
    long subscribers(String channel) {
        return connection.sync().pubsubNumsub(channel).getOrDefault(channel, 0L);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    private static Map<String, String> parse(String info) {
        Map<String, String> fields = new HashMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    /** Reads {@code calls=N} out of a {@code cmdstat_*} value. */
    private static long calls(String commandStats) {
        for (String part : commandStats.split(",")) {
            if (part.startsWith("calls=")) {
                return Long.parseLong(part.substring("calls=".length()));
            }
        }
        return 0;
    }

    /**
     * The counters at one moment.
     *
     * @param nanos {@link System#nanoTime()} when the snapshot was taken
     * @param commands {@code total_commands_processed}
     * @param requests commands sent by clients, without those run inside scripts and without INFO
     * @param cpuSeconds CPU time of the Redis server, user plus system
     * @param redisVersion the server's version
     */
    record Snapshot(long nanos, long commands, long requests, double cpuSeconds, String redisVersion) {

        /** The rates from {@code earlier} to this snapshot; one INFO call (the earlier one) is left out. */
        Rates since(Snapshot earlier) {
            double seconds = (nanos - earlier.nanos) / 1e9;
            return new Rates(
                    (commands - earlier.commands - 1) / seconds,
                    (requests - earlier.requests) / seconds,
                    (cpuSeconds - earlier.cpuSeconds) / seconds);
        }
    }

    /**
     * What Redis did per second over a window.
     *
     * @param commandsPerSecond as counted by {@code total_commands_processed}
     * @param requestsPerSecond commands sent by clients
     * @param cpuShare the share of one core the server used
     */
    record Rates(double commandsPerSecond, double requestsPerSecond, double cpuShare) {}
}
