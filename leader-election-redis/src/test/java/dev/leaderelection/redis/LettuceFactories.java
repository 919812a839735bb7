package dev.leaderelection.redis;

import dev.leaderelection.testing.redis.ClusterTopology;
import dev.leaderelection.testing.redis.RedisServer;
import dev.leaderelection.testing.redis.SentinelTopology;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import java.time.Duration;
import java.util.List;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Lettuce connection factories for tests, each with connections of its own, like a separate process. */
final class LettuceFactories {

    private LettuceFactories() {}

    static LettuceConnectionFactory connectedTo(RedisServer server) {
        return connectedTo(new RedisStandaloneConfiguration(server.host(), server.port()));
    }

    /** Connected as an ACL user of {@code server}. */
    static LettuceConnectionFactory connectedAs(RedisServer server, String username, String password) {
        RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(server.host(), server.port());
        configuration.setUsername(username);
        configuration.setPassword(password);
        return connectedTo(configuration);
    }

    /** Connected to whichever server the topology's sentinels name as the primary, as Spring Boot's {@code spring.data.redis.sentinel.*} does. */
    static LettuceConnectionFactory connectedTo(SentinelTopology topology) {
        RedisSentinelConfiguration configuration = new RedisSentinelConfiguration();
        configuration.master(topology.masterName());
        topology.sentinels().forEach(sentinel -> configuration.sentinel(sentinel.host(), sentinel.port()));
        return connectedTo(configuration);
    }

    /**
     * Connected to the cluster's nodes, as {@code spring.data.redis.cluster.nodes} with {@code
     * spring.data.redis.lettuce.cluster.refresh.adaptive=true} and {@code refresh.period=1s} does: the
     * client reads the topology again on {@code MOVED}, {@code ASK} and lost connections, and every
     * second.
     */
    static LettuceConnectionFactory connectedTo(ClusterTopology cluster) {
        LettuceClientConfiguration client = LettuceClientConfiguration.builder()
                .commandTimeout(Duration.ofSeconds(10))
                .clientOptions(ClusterClientOptions.builder()
                        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                                .enableAllAdaptiveRefreshTriggers()
                                .enablePeriodicRefresh(Duration.ofSeconds(1))
                                .build())
                        .build())
                .build();
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisClusterConfiguration(List.of(cluster.clusterNodes().split(","))), client);
        // Connected at start, as an application's factory is by the time its electors run: a cold JVM
        // takes seconds over its first cluster topology, longer than the store's warm-up waits.
        factory.setEagerInitialization(true);
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    static LettuceConnectionFactory connectedTo(RedisConfiguration configuration) {
        return connectedTo(
                configuration,
                LettuceClientConfiguration.builder()
                        .commandTimeout(Duration.ofSeconds(10))
                        .build());
    }

    private static LettuceConnectionFactory connectedTo(
            RedisConfiguration configuration, LettuceClientConfiguration client) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration, client);
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }
}
