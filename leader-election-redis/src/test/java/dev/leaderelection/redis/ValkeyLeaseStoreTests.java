package dev.leaderelection.redis;

import dev.leaderelection.testing.redis.ContainerRedisServer;

/** The contract suite on Valkey, in a container. */
class ValkeyLeaseStoreTests extends ContainerLeaseStoreContract {

    static final String IMAGE = System.getProperty("leader.election.test.valkey-image", "valkey/valkey:8.1");

    @Override
    ContainerRedisServer server() {
        return ContainerRedisServer.of(IMAGE, "valkey-server", "--save", "", "--appendonly", "no");
    }
}
