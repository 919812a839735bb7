package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.store.WakeUps;
import dev.leaderelection.testing.redis.ClusterTopology;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * An election on a real Redis Cluster through exactly the properties of the README's Cluster
 * {@code application.yml}: {@code spring.data.redis.cluster.nodes} and Lettuce's topology refresh.
 */
class LeaderElectionRedisClusterTests {

    static ClusterTopology cluster;

    @BeforeAll
    static void startCluster() {
        cluster = ClusterTopology.start(Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    DataRedisAutoConfiguration.class,
                    LeaderElectionRedisAutoConfiguration.class,
                    LeaderElectionAutoConfiguration.class))
            .withPropertyValues(
                    "spring.data.redis.cluster.nodes=" + cluster.clusterNodes(),
                    "spring.data.redis.lettuce.cluster.refresh.adaptive=true",
                    "spring.data.redis.lettuce.cluster.refresh.period=5s",
                    // About the cluster connection: a leader within seconds, without the guard's hold.
                    "leader.election.redis.restart-guard=false");

    @Test
    void runOnAClusterShouldGrantTheElectionOnItsSlotsPrimaryAndListenOnItsShardChannel() {
        contextRunner.withPropertyValues("leader.election.name=on-cluster").run(context -> {
            assertThat(context).hasNotFailed();
            LeaderElector elector = context.getBean(LeaderElector.class);
            await().atMost(Duration.ofSeconds(20)).until(elector::isLeader);
            String lease = "{leader-election:on-cluster}:lease";
            assertThat(cluster.primaryOf(lease).command("GET", lease)).endsWith(":" + elector.instanceId());
            await().atMost(Duration.ofSeconds(20)).until(() -> elector.status().wakeUps() == WakeUps.SUBSCRIBED);
            String channel = "{leader-election:on-cluster}:released";
            assertThat(cluster.primaryOf(lease).command("PUBSUB", "SHARDCHANNELS", channel))
                    .isEqualTo(channel);
        });
    }
}
