package dev.leaderelection.benchmarks.peers;

import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.integration.leader.Context;
import org.springframework.integration.leader.DefaultCandidate;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;

/**
 * Spring Integration's leader election as its reference guide sets it up: a {@link
 * LockRegistryLeaderInitiator} on a {@link RedisLockRegistry} over Spring Boot's Redis connection,
 * every setting at the library's default except the lock's expiry, set to the lease. The lock's key
 * is {@code <election>:<election>} (registry key, then the candidate's role).
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class SpringIntegrationBootApp {

    public static void main(String[] args) {
        BootApps.run(
                SpringIntegrationBootApp.class,
                BootApps.Arguments.parse(args),
                Map.of("leader.election.enabled", "false"));
    }

    /** The Redis key of the lock of {@code election}. */
    public static String lockKey(String election) {
        return election + ":" + election;
    }

    @Bean
    RedisLockRegistry leaderLocks(RedisConnectionFactory connectionFactory, Environment environment) {
        return new RedisLockRegistry(
                connectionFactory,
                environment.getRequiredProperty("bench.election"),
                environment.getRequiredProperty("bench.lease-millis", Long.class));
    }

    @Bean
    LockRegistryLeaderInitiator leaderInitiator(RedisLockRegistry leaderLocks, Environment environment) {
        return new LockRegistryLeaderInitiator(
                leaderLocks,
                new PrintingCandidate(
                        environment.getRequiredProperty("bench.instance-id"),
                        environment.getRequiredProperty("bench.election")));
    }

    /** The default candidate, printing its grants and revocations. */
    static class PrintingCandidate extends DefaultCandidate {

        PrintingCandidate(String id, String role) {
            super(id, role);
        }

        @Override
        public void onGranted(Context context) {
            BootApps.print(BootApps.GRANTED);
            super.onGranted(context);
        }

        @Override
        public void onRevoked(Context context) {
            BootApps.print(BootApps.REVOKED);
            super.onRevoked(context);
        }
    }
}
