package dev.leaderelection.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.tck.LeaseStoreContract;
import dev.leaderelection.testing.redis.ProcessRedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The contract suite on stores whose grants and renewals one replica must acknowledge ({@code
 * min-replicas-acked=1}): every grant and renewal then goes out on the store's own connection,
 * followed by {@code WAIT}, and must behave exactly as on the shared one.
 */
class RedisAcknowledgedLeaseStoreTests extends LeaseStoreContract {

    private static ProcessRedisServer primary;
    private static ProcessRedisServer replica;
    private static final List<AutoCloseable> resources = new ArrayList<>();
    private static RedisLeaseStore store;

    /** The connections of the further clients the contract opened in this test. */
    private final List<LettuceConnectionFactory> clientConnections = new ArrayList<>();

    @BeforeAll
    static void startPrimaryAndReplica() {
        primary = new ProcessRedisServer();
        resources.add(primary);
        primary.start();
        replica = ProcessRedisServer.replicaOf(primary.port());
        resources.add(replica);
        replica.start();
        replica.awaitReplicationLinkUp();
        LettuceConnectionFactory connections = LettuceFactories.connectedTo(primary);
        resources.add(connections::destroy);
        store = acknowledged(connections);
        resources.add(store);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @AfterEach
    void disconnectFurtherClients() {
        clientConnections.forEach(LettuceConnectionFactory::destroy);
    }

    @Override
    public LeaseStore store() {
        return store;
    }

    @Override
    public LeaseStore newClient() {
        LettuceConnectionFactory connections = LettuceFactories.connectedTo(primary);
        clientConnections.add(connections);
        return acknowledged(connections);
    }

    @Override
    public void wipeStoreData() {
        assertThat(primary.command("FLUSHALL")).isEqualTo("OK");
    }

    /**
     * Restart guard off, as in {@link RedisLeaseStoreTests}: the contract's leases are long. Started,
     * as its owner starts it before the electors: that opens the store's own connection, whose
     * first opening in a cold JVM on a loaded machine could outlast the contract's 5 s per call.
     */
    private static RedisLeaseStore acknowledged(LettuceConnectionFactory connections) {
        RedisLeaseStore store = RedisLeaseStore.builder(connections)
                .keyPrefix("acknowledged")
                .restartGuard(false)
                .minReplicasAcked(1, Duration.ofSeconds(1))
                .build();
        store.start();
        return store;
    }
}
