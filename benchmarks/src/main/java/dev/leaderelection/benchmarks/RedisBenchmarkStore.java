package dev.leaderelection.benchmarks;

import dev.leaderelection.ElectionScheduler;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.redis.RedisKeys;
import dev.leaderelection.redis.RedisLeaderElector;
import dev.leaderelection.redis.RedisLeaseStore;
import dev.leaderelection.testing.redis.RedisServer;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Redis for the benchmarks: a {@code redis-server} process; the harness reads its counters with {@code INFO}. */
final class RedisBenchmarkStore implements BenchmarkStore {

    private final RedisServer server;
    private final boolean owned;
    private final RedisStats stats;
    private final String version;
    private @Nullable ClientResources shared;

    /** Runs on {@code server}; closes it on {@link #close()} when {@code owned}. */
    RedisBenchmarkStore(RedisServer server, boolean owned) {
        this.server = server;
        this.owned = owned;
        this.stats = new RedisStats(server.port());
        this.version = stats.snapshot().redisVersion();
    }

    int port() {
        return server.port();
    }

    /** The server's version, as {@code INFO} says it. */
    String version() {
        return version;
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
    public String server() {
        return "redis-server " + version;
    }

    @Override
    public String connection() {
        return Integer.toString(server.port());
    }

    @Override
    public synchronized Elector elector(
            String election, String instanceId, ElectionTimings timings, ElectionScheduler scheduler, boolean share) {
        if (share && shared == null) {
            shared = DefaultClientResources.create();
        }
        return elector(server.port(), share ? shared : null, election, instanceId, timings, scheduler);
    }

    /** An elector on the Redis server at {@code port}: one {@link RedisLeaderElector}, wired as the starter wires it. */
    static Elector elector(
            int port,
            @Nullable ClientResources resources,
            String election,
            String instanceId,
            ElectionTimings timings,
            ElectionScheduler scheduler) {
        LettuceConnectionFactory connectionFactory = RedisConnections.factory(port, resources);
        RedisLeaseStore store = new RedisLeaseStore(connectionFactory, ElectorApp.KEY_PREFIX);
        store.start(); // scripts loaded, connection open and release link up before the elector starts
        RedisLeaderElector elector = new RedisLeaderElector(election, instanceId, store, timings, scheduler);
        return new Elector(elector, () -> {
            store.close();
            connectionFactory.destroy();
        });
    }

    @Override
    public Optional<Counter> counter() {
        return Optional.of(stats::snapshot);
    }

    @Override
    public OptionalLong remainingLeaseMillis(String election) {
        return OptionalLong.of(stats.remainingMillis(keys(election).lease()));
    }

    @Override
    public OptionalLong releaseListeners(String election) {
        return OptionalLong.of(stats.subscribers(keys(election).releaseChannel()));
    }

    @Override
    public synchronized void close() {
        stats.close();
        if (shared != null) {
            shared.shutdown();
            shared = null;
        }
        if (owned) {
            server.close();
        }
    }

    private static RedisKeys keys(String election) {
        return RedisKeys.of(ElectorApp.KEY_PREFIX, election);
    }
}
