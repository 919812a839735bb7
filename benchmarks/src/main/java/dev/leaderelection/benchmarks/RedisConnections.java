package dev.leaderelection.benchmarks;

import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Lettuce connection factories on the loopback Redis, as Spring Boot would build them. Each factory
 * has connections of its own (one for commands, one for pub/sub), like a separate application.
 */
final class RedisConnections {

    static final String HOST = "127.0.0.1";

    private RedisConnections() {}

    /**
     * A started factory; with {@code sharedResources} its connections use those event loops
     * instead of threads of their own (Redis sees the same connections either way).
     */
    static LettuceConnectionFactory factory(int port, @Nullable ClientResources sharedResources) {
        LettuceClientConfiguration.LettuceClientConfigurationBuilder client =
                LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(5));
        if (sharedResources != null) {
            client.clientResources(sharedResources);
        }
        LettuceConnectionFactory factory =
                new LettuceConnectionFactory(new RedisStandaloneConfiguration(HOST, port), client.build());
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }
}
