package dev.leaderelection.autoconfigure;

import dev.leaderelection.redis.RedisKeys;
import dev.leaderelection.redis.RedisLeaderElector;
import dev.leaderelection.redis.RedisLeaseStore;
import dev.leaderelection.store.LeaseStore;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.List;
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

    private static final String MIN_REPLICAS_ACKED = ElectionSettings.PREFIX + "redis.min-replicas-acked";

    @Bean
    @ConditionalOnMissingBean(LeaseStore.class)
    @ConditionalOnSingleCandidate(RedisConnectionFactory.class)
    RedisLeaseStore leaderElectionLeaseStore(
            RedisConnectionFactory connectionFactory, LeaderElectionProperties properties) {
        int minReplicasAcked = properties.getRedis().getMinReplicasAcked();
        if (minReplicasAcked < 0) {
            throw new InvalidLeaderElectionPropertiesException(
                    "%s (%d) must be 0 (no replica acknowledges grants and renewals) or more"
                            .formatted(MIN_REPLICAS_ACKED, minReplicasAcked),
                    List.of(MIN_REPLICAS_ACKED),
                    null);
        }
        try {
            return RedisLeaseStore.builder(connectionFactory)
                    .keyPrefix(keyPrefix(properties))
                    .restartGuard(properties.getRedis().isRestartGuard())
                    .minReplicasAcked(minReplicasAcked, replicaWaitTimeout(properties))
                    .build();
        } catch (IllegalArgumentException ex) {
            if (minReplicasAcked == 0) {
                throw ex;
            }
            throw new InvalidLeaderElectionPropertiesException(
                    "%s (%d) cannot work with this connection factory: %s"
                            .formatted(MIN_REPLICAS_ACKED, minReplicasAcked, ex.getMessage()),
                    List.of(MIN_REPLICAS_ACKED),
                    ex);
        }
    }

    /**
     * Half the smallest operation timeout of any election, at least 1 ms: {@code WAIT} blocks the
     * store's own connection, which every election's grants and renewals share, and the script
     * before it needs the other half.
     */
    static Duration replicaWaitTimeout(LeaderElectionProperties properties) {
        Duration smallest = properties.getOperationTimeout();
        for (LeaderElectionProperties.Election election :
                properties.getElections().values()) {
            Duration own = election.getOperationTimeout();
            if (own != null && own.compareTo(smallest) < 0) {
                smallest = own;
            }
        }
        Duration half = smallest.dividedBy(2);
        return half.toMillis() < 1 ? Duration.ofMillis(1) : half;
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
