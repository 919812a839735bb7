package dev.leaderelection.testing.redis;

import dev.leaderelection.testing.store.StoreServer;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Redis as a {@link StoreServer}: a {@link ProcessRedisServer} without persistence, so a restart
 * comes back empty. {@link #redis()} gives the process for what only Redis has (commands,
 * replicas, failovers).
 */
public final class RedisStoreServer implements StoreServer {

    private final ProcessRedisServer redis;

    /** A server on a free port; {@link #start()} launches it. */
    public RedisStoreServer() {
        this(new ProcessRedisServer());
    }

    /** Wraps {@code redis}, which the caller may have started already. */
    public RedisStoreServer(ProcessRedisServer redis) {
        this.redis = redis;
    }

    /** The {@code redis-server} process behind this store server. */
    public ProcessRedisServer redis() {
        return redis;
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String displayName() {
        return "Redis";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public boolean keepsDataOnRestart() {
        return false;
    }

    @Override
    public void start() {
        redis.start();
    }

    @Override
    public void kill() {
        redis.kill();
    }

    @Override
    public void freeze() {
        redis.pause();
    }

    @Override
    public void resume() {
        redis.resume();
    }

    @Override
    public void wipe() {
        redis.command("FLUSHALL");
    }

    @Override
    public boolean isRunning() {
        return redis.isRunning();
    }

    @Override
    public OptionalInt port() {
        return OptionalInt.of(redis.port());
    }

    @Override
    public Map<String, String> applicationProperties(int port) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.profiles.active", name());
        properties.put("leader.election.store", name());
        properties.put("spring.data.redis.host", redis.host());
        properties.put("spring.data.redis.port", Integer.toString(port));
        return properties;
    }

    @Override
    public String describe() {
        return "started on " + redis.host() + ":" + redis.port() + ", no persistence (" + redis.executable() + ")";
    }

    @Override
    public void close() {
        redis.close();
    }

    @Override
    public String toString() {
        return redis.toString();
    }
}
