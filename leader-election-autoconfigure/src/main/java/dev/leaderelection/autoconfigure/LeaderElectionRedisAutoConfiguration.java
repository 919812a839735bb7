package dev.leaderelection.autoconfigure;

import dev.leaderelection.redis.RedisKeys;
import dev.leaderelection.redis.RedisLeaderElector;
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
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The Redis lease store, on the application's {@link RedisConnectionFactory}, so that every
 * {@code spring.data.redis.*} setting (credentials, TLS, Sentinel, Cluster) applies unchanged, and
 * {@link RedisLeaderElector}s on it. Active when {@code leader-election-redis} and Lettuce are on the
 * classpath, and {@code leader.election.store} is {@code redis} or unset with no other store module
 * present.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
            "org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration"
        },
        before = LeaderElectionAutoConfiguration.class)
@ConditionalOnClass({RedisLeaseStore.class, RedisConnectionFactory.class, RedisClient.class})
@ConditionalOnLeaderElectionStore("redis")
@ConditionalOnBooleanProperty(name = "leader.election.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LeaderElectionProperties.class)
public final class LeaderElectionRedisAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(LeaseStore.class)
    @ConditionalOnSingleCandidate(RedisConnectionFactory.class)
    RedisLeaseStore leaderElectionLeaseStore(
            RedisConnectionFactory connectionFactory, LeaderElectionProperties properties) {
        return RedisLeaseStore.builder(connectionFactory)
                .keyPrefix(keyPrefix(properties))
                .restartGuard(properties.getRedis().isRestartGuard())
                .build();
    }

    /** After the store: on the auto-configured store or a user's {@link RedisLeaseStore} bean. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnSingleCandidate(RedisLeaseStore.class)
    LeaderElectorFactory redisLeaderElectorFactory(RedisLeaseStore store) {
        return (election, instanceId, timings, scheduler) ->
                new RedisLeaderElector(election, instanceId, store, timings, scheduler);
    }

    /** {@code leader.election.redis.key-prefix}, else the deprecated {@code leader.election.key-prefix}. */
    @SuppressWarnings("deprecation")
    private static String keyPrefix(LeaderElectionProperties properties) {
        String current = properties.getRedis().getKeyPrefix();
        String deprecated = properties.getKeyPrefix();
        String property = (current == null && deprecated != null) ? "key-prefix" : "redis.key-prefix";
        String keyPrefix =
                current != null ? current : deprecated != null ? deprecated : RedisLeaseStore.DEFAULT_KEY_PREFIX;
        if (!RedisKeys.isValidName(keyPrefix)) {
            throw ElectionSettings.invalidKeyPart(property, keyPrefix, RedisKeys.NAME_RULE, null);
        }
        return keyPrefix;
    }
}
