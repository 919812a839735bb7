package dev.leaderelection.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.tck.LeaseStoreContract;
import dev.leaderelection.testing.redis.ContainerRedisServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The contract suite against a server that exists here only as a container image (Valkey,
 * DragonFly), through Testcontainers, as {@link RedisLeaseStoreTests} runs it against {@code
 * redis-server}. Where no Docker engine answers, {@link DockerEngineCondition} skips the class with
 * one line, even with {@code CI=true}: the one documented exception to that rule, since there is no
 * other way to run these servers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(DockerEngineCondition.class)
abstract class ContainerLeaseStoreContract extends LeaseStoreContract {

    private final List<LettuceConnectionFactory> clientConnections = new ArrayList<>();
    private ContainerRedisServer server;
    private LettuceConnectionFactory connectionFactory;
    private RedisLeaseStore store;

    /** The server, not yet started. */
    abstract ContainerRedisServer server();

    @BeforeAll
    void startServer() {
        server = server();
        server.start();
        connectionFactory = LettuceFactories.connectedTo(server);
        store = unguarded(connectionFactory);
    }

    @AfterAll
    void stopServer() {
        if (store != null) {
            store.close();
            connectionFactory.destroy();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void disconnectFurtherClients() {
        clientConnections.forEach(LettuceConnectionFactory::destroy);
        clientConnections.clear();
    }

    @Override
    public LeaseStore store() {
        return store;
    }

    @Override
    public LeaseStore newClient() {
        LettuceConnectionFactory connections = LettuceFactories.connectedTo(server);
        clientConnections.add(connections);
        return unguarded(connections);
    }

    @Override
    public void wipeStoreData() {
        assertThat(server.command("FLUSHALL")).isEqualTo("OK");
    }

    /** As in {@link RedisLeaseStoreTests}: the contract is about the operations, not the restart guard. */
    private static RedisLeaseStore unguarded(LettuceConnectionFactory connections) {
        return RedisLeaseStore.builder(connections)
                .keyPrefix("test")
                .restartGuard(false)
                .build();
    }
}
