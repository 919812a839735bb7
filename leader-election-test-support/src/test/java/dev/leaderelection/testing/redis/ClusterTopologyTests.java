package dev.leaderelection.testing.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClusterTopologyTests {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    static ClusterTopology cluster;

    @BeforeAll
    static void startCluster() {
        cluster = ClusterTopology.start(Duration.ofMillis(1000));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void threePrimariesServeEverySlotEachWithAReplica() {
        assertThat(cluster.primaries()).hasSize(3);
        for (ProcessRedisServer primary : cluster.primaries()) {
            assertThat(cluster.replicaOf(primary).info("replication", "master_port"))
                    .isEqualTo(Integer.toString(primary.port()));
        }
        assertThat(cluster.ownerOfSlot(0)).isNotSameAs(cluster.ownerOfSlot(ClusterTopology.SLOTS - 1));
        assertThat(cluster.clusterNodes().split(",")).hasSize(6);
    }

    @Test
    void aMigratingSlotSendsClientsOnWithAskAndBelongsToTheTargetAfterwards() {
        int slot = cluster.slot("{moving}:a");
        ProcessRedisServer source = cluster.ownerOfSlot(slot);
        source.command("SET", "{moving}:a", "1");
        source.command("SET", "{moving}:b", "2");
        ProcessRedisServer target = cluster.primaries().stream()
                .filter(primary -> primary != source)
                .findFirst()
                .orElseThrow();

        ClusterTopology.Migration migration = cluster.beginMigration(slot, target);
        migration.moveKey("{moving}:a");
        assertThatIllegalStateException()
                .isThrownBy(() -> source.command("GET", "{moving}:a"))
                .withMessageContaining("ASK " + slot);
        assertThatIllegalStateException()
                .isThrownBy(() -> source.command("MGET", "{moving}:a", "{moving}:b"))
                .withMessageContaining("TRYAGAIN");
        migration.finish(TIMEOUT);

        assertThat(cluster.ownerOfSlot(slot)).isSameAs(target);
        assertThat(target.command("MGET", "{moving}:a", "{moving}:b")).isEqualTo("1\n2");
    }
}
