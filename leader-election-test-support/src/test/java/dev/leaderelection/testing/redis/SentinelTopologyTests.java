package dev.leaderelection.testing.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SentinelTopologyTests {

    static final Duration FAILOVER = Duration.ofSeconds(30);

    static SentinelTopology redis;

    @BeforeAll
    static void startTopology() {
        redis = SentinelTopology.start(Duration.ofMillis(1000));
    }

    @AfterAll
    static void stopTopology() {
        redis.close();
    }

    @Test
    void sentinelPromotesAReplicaWhenThePrimaryIsKilledAndTheOldPrimaryRejoinsAsAReplica() {
        ProcessRedisServer old = redis.primary();
        old.command("SET", "k", "v");
        old.command("WAIT", "2", "5000");

        old.kill();
        ProcessRedisServer promoted = redis.awaitPromotionFrom(old, FAILOVER);

        assertThat(promoted).isNotSameAs(old);
        assertThat(promoted.command("GET", "k")).isEqualTo("v");
        redis.rejoinAsReplica(old, FAILOVER);
        assertThat(old.info("replication", "role")).isEqualTo("slave");
        assertThat(old.command("GET", "k")).isEqualTo("v");
    }

    @Test
    void sentinelPromotesAReplicaWhenThePrimaryIsFrozenAndTheResumedPrimaryBecomesAReplica() {
        ProcessRedisServer old = redis.primary();

        old.pause();
        ProcessRedisServer promoted = redis.awaitPromotionFrom(old, FAILOVER);
        redis.rejoinAsReplica(old, FAILOVER);

        assertThat(promoted.info("replication", "role")).isEqualTo("master");
        assertThat(old.info("replication", "master_port")).isEqualTo(Integer.toString(promoted.port()));
    }
}
