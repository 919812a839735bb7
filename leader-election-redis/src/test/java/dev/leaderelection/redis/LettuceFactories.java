package dev.leaderelection.redis;

import dev.leaderelection.testing.redis.RedisServer;
import dev.leaderelection.testing.redis.SentinelTopology;
import java.time.Duration;
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

    static LettuceConnectionFactory connectedTo(RedisConfiguration configuration) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                configuration,
                LettuceClientConfiguration.builder()
                        .commandTimeout(Duration.ofSeconds(10))
                        .build());
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }
}
