package dev.leaderelection.testing.redis;

import dev.leaderelection.testing.store.StoreServer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Redis behind Sentinel as a {@link StoreServer}: a {@link SentinelTopology} (a primary, two replicas,
 * three sentinels), reached by applications through {@code spring.data.redis.sentinel.*}. Its
 * faults are a failover's, done on {@link #topology()}: the store-wide kill, freeze and restart of
 * one server are not offered (which server would they hit?), nor a proxy, since an application
 * reaches the sentinels and then whichever server they name.
 */
public final class SentinelStoreServer implements StoreServer {

    private final Duration downAfter;
    private @Nullable SentinelTopology topology;

    /**
     * @param downAfter how long the primary goes unanswered before a sentinel deems it down ({@code
     *     down-after-milliseconds})
     */
    public SentinelStoreServer(Duration downAfter) {
        this.downAfter = downAfter;
    }

    /** The running topology, for failovers. */
    public synchronized SentinelTopology topology() {
        if (topology == null) {
            throw new IllegalStateException("The Sentinel topology is not started");
        }
        return topology;
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String displayName() {
        return "Redis Sentinel";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.WIPE);
    }

    @Override
    public boolean keepsDataOnRestart() {
        return false;
    }

    @Override
    public synchronized void start() {
        if (topology == null) {
            topology = SentinelTopology.start(downAfter);
        }
    }

    @Override
    public void kill() {
        throw unsupported("kill");
    }

    @Override
    public void freeze() {
        throw unsupported("freeze");
    }

    @Override
    public void resume() {
        throw unsupported("resume");
    }

    @Override
    public void wipe() {
        topology().primary().command("FLUSHALL");
    }

    @Override
    public synchronized boolean isRunning() {
        return topology != null;
    }

    @Override
    public OptionalInt port() {
        return OptionalInt.empty();
    }

    @Override
    public Map<String, String> applicationProperties(int port) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.profiles.active", name());
        properties.put("leader.election.store", name());
        properties.put("spring.data.redis.sentinel.master", topology().masterName());
        properties.put("spring.data.redis.sentinel.nodes", topology().sentinelNodes());
        return properties;
    }

    @Override
    public String describe() {
        return topology() + ", a primary and two replicas, no persistence";
    }

    @Override
    public synchronized void close() {
        if (topology != null) {
            topology.close();
            topology = null;
        }
    }

    @Override
    public String toString() {
        return topology != null ? topology.toString() : "Sentinel topology (not started)";
    }

    private UnsupportedOperationException unsupported(String fault) {
        return new UnsupportedOperationException(
                "Redis Sentinel has no single server to " + fault + ": use topology() for a failover");
    }
}
