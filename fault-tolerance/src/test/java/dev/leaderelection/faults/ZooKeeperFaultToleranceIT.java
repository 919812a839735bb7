package dev.leaderelection.faults;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fault scenarios on ZooKeeper: a standalone server in a JVM of its own (so rows 3 freeze it
 * with SIGSTOP), restarted on its data directory (rows 4 keep sessions and nodes, as a real restart
 * does), reached through a proxy per instance (rows 5).
 *
 * <p>Build time: every row here is tagged {@code zookeeper}, and the default build runs only the one
 * tagged {@code default-build}, row 3 "ZooKeeper frozen (SIGSTOP) for 0.5x lease": the
 * fault-tolerance pom passes failsafe the tag expression {@code faults.tags}, {@code !zookeeper |
 * default-build} by default and {@code zookeeper | !zookeeper} (every row) with {@code -Pchaos}.
 */
@Tag("zookeeper")
class ZooKeeperFaultToleranceIT extends StoreFaultScenarios {

    ZooKeeperFaultToleranceIT() {
        super("zookeeper");
    }

    /** The row the default build runs: the same as every store's, tagged for the selection. */
    @Override
    @Test
    @Order(5)
    @Tag("default-build")
    void storeFrozenForHalfALease() {
        super.storeFrozenForHalfALease();
    }
}
