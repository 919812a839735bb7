package dev.leaderelection.autoconfigure;

import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.zookeeper.ZooKeeperLeaseStore;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The ZooKeeper lease store on an Apache Curator client: the application's own {@link
 * CuratorFramework} if it has one, else one connected to {@code leader.election.zookeeper.connect-string}
 * whose session timeout is {@code leader.election.zookeeper.session-timeout}. Active when {@code
 * leader-election-zookeeper} and Curator are on the classpath, and {@code leader.election.store} is
 * {@code zookeeper} or unset with no other store module present.
 *
 * <p>The session timeout must not be larger than the lease: a holder that dies keeps its node until
 * its session ends or a candidate finds its lease run out. Nor may it be smaller than any election's
 * lease, or the node could go with the session before the leader's deadline: the store checks the
 * timeout the server actually granted at every acquire and renewal, and refuses a longer lease.
 */
@AutoConfiguration(before = LeaderElectionAutoConfiguration.class)
@ConditionalOnClass({ZooKeeperLeaseStore.class, CuratorFramework.class})
@ConditionalOnLeaderElectionStore("zookeeper")
@ConditionalOnBooleanProperty(name = "leader.election.enabled", matchIfMissing = true)
@EnableConfigurationProperties({LeaderElectionProperties.class, LeaderElectionZooKeeperProperties.class})
public final class LeaderElectionZooKeeperAutoConfiguration {

    private static final String PREFIX = "leader.election.";

    /** Started here, closed with the context; starting does not wait for a server. */
    @Bean(initMethod = "start", destroyMethod = "close")
    @ConditionalOnMissingBean(CuratorFramework.class)
    CuratorFramework leaderElectionCuratorFramework(
            LeaderElectionProperties properties, LeaderElectionZooKeeperProperties zookeeper) {
        int sessionTimeout = (int) sessionTimeout(properties, zookeeper).toMillis();
        return CuratorFrameworkFactory.builder()
                .connectString(zookeeper.getConnectString())
                .sessionTimeoutMs(sessionTimeout)
                .connectionTimeoutMs(Math.min(sessionTimeout, 15_000))
                .retryPolicy(new ExponentialBackoffRetry(100, 29, 2_000))
                .build();
    }

    @Bean
    @ConditionalOnMissingBean(LeaseStore.class)
    @ConditionalOnSingleCandidate(CuratorFramework.class)
    ZooKeeperLeaseStore leaderElectionLeaseStore(
            CuratorFramework client, LeaderElectionProperties properties, LeaderElectionZooKeeperProperties zookeeper) {
        sessionTimeout(properties, zookeeper); // also checked for a client of the application's own
        try {
            return new ZooKeeperLeaseStore(client, zookeeper.getRootPath());
        } catch (IllegalArgumentException ex) {
            throw new InvalidLeaderElectionPropertiesException(
                    PREFIX + "zookeeper." + ex.getMessage().replaceFirst("^root path", "root-path"),
                    List.of(PREFIX + "zookeeper.root-path"),
                    null);
        }
    }

    /**
     * {@code session-timeout}, by default the lease duration: never larger than the lease (a dead
     * holder's node stays until its session ends), never smaller than the lease of any election (the
     * store would refuse it).
     */
    static Duration sessionTimeout(LeaderElectionProperties properties, LeaderElectionZooKeeperProperties zookeeper) {
        Duration lease = properties.getLeaseDuration();
        Duration asked = zookeeper.getSessionTimeout();
        if (asked == null) {
            asked = lease;
        } else if (asked.compareTo(lease) > 0) {
            throw new InvalidLeaderElectionPropertiesException(
                    "%szookeeper.session-timeout (%s) must not be larger than %slease-duration (%s): a holder that dies keeps the lease until its ZooKeeper session ends"
                            .formatted(PREFIX, millis(asked), PREFIX, millis(lease)),
                    List.of(PREFIX + "zookeeper.session-timeout", PREFIX + "lease-duration"),
                    null);
        }
        if (asked.compareTo(lease) < 0) {
            throw new InvalidLeaderElectionPropertiesException(
                    "%szookeeper.session-timeout (%s) must not be smaller than %slease-duration (%s): the lease node goes with the session, and the store refuses a lease longer than the session ZooKeeper grants"
                            .formatted(PREFIX, millis(asked), PREFIX, millis(lease)),
                    List.of(PREFIX + "zookeeper.session-timeout", PREFIX + "lease-duration"),
                    null);
        }
        for (var election : properties.getElections().entrySet()) {
            Duration own = election.getValue().getLeaseDuration();
            if (own != null && own.compareTo(asked) > 0) {
                String property = "%selections.%s.lease-duration".formatted(PREFIX, election.getKey());
                throw new InvalidLeaderElectionPropertiesException(
                        "%s (%s) must not be larger than %szookeeper.session-timeout (%s): all elections share one ZooKeeper session, and the store refuses a lease longer than the session"
                                .formatted(property, millis(own), PREFIX, millis(asked)),
                        List.of(property, PREFIX + "zookeeper.session-timeout"),
                        null);
            }
        }
        if (asked.toMillis() <= 0 || asked.toMillis() > Integer.MAX_VALUE) {
            throw new InvalidLeaderElectionPropertiesException(
                    "%szookeeper.session-timeout (%s) must be a positive number of milliseconds"
                            .formatted(PREFIX, asked),
                    List.of(PREFIX + "zookeeper.session-timeout"),
                    null);
        }
        return asked;
    }

    private static String millis(Duration duration) {
        return duration.toMillis() + " ms";
    }
}
