package dev.leaderelection.faults;

/**
 * The fault scenarios on ZooKeeper: a standalone server in a JVM of its own (so rows 3 freeze it
 * with SIGSTOP), restarted on its data directory (rows 4 keep sessions and nodes, as a real restart
 * does), reached through a proxy per instance (rows 5). The default build runs the row that
 * {@code faults.zookeeper.rows} names ({@link FaultRowSelection}); {@code -Pchaos} runs them all.
 */
class ZooKeeperFaultToleranceIT extends StoreFaultScenarios {

    ZooKeeperFaultToleranceIT() {
        super("zookeeper");
    }
}
