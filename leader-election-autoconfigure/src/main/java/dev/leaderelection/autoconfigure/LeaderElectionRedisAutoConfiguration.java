package dev.leaderelection.autoconfigure;

import dev.leaderelection.redis.RedisLeaseStore;
import dev.leaderelection.store.LeaseStore;
import io.lettuce.core.RedisClient;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The Redis lease store, on the application's {@link RedisConnectionFactory}, so that every
 * {@code spring.data.redis.*} setting (credentials, TLS, Sentinel, Cluster) applies unchanged.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
            "org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration"
        },
        before = LeaderElectionAutoConfiguration.class)
@ConditionalOnClass({RedisConnectionFactory.class, RedisClient.class})
@ConditionalOnBooleanProperty(name = "leader.election.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LeaderElectionProperties.class)
public final class LeaderElectionRedisAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(LeaseStore.class)
    @ConditionalOnSingleCandidate(RedisConnectionFactory.class)
    RedisLeaseStore leaderElectionLeaseStore(
            RedisConnectionFactory connectionFactory, LeaderElectionProperties properties, Environment environment) {
        return RedisLeaseStore.builder(connectionFactory)
                .keyPrefix(ElectionSettings.of(properties, environment).keyPrefix())
                .restartGuard(properties.getRedis().isRestartGuard())
                .build();
    }
}
