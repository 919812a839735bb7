package dev.leaderelection.redis;

import dev.leaderelection.testing.redis.ContainerRedisServer;

/** The contract suite on DragonFly, in a container (the image's own command, no snapshots). */
class DragonflyLeaseStoreTests extends ContainerLeaseStoreContract {

    static final String IMAGE = System.getProperty(
            "leader.election.test.dragonfly-image", "docker.dragonflydb.io/dragonflydb/dragonfly:v1.25.0");

    @Override
    ContainerRedisServer server() {
        return ContainerRedisServer.of(IMAGE, "dragonfly", "--logtostderr", "--dbfilename=");
    }
}
