package dev.leaderelection.faults;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The fault scenarios on ZooKeeper: a standalone server in a JVM of its own (so rows 3 freeze it
 * with SIGSTOP), restarted on its data directory (rows 4 keep sessions and nodes, as a real restart
 * does), reached through a proxy per instance (rows 5); and one row only ZooKeeper has: an operator
 * deleting the election's nodes ({@code deleteall /leader-election}) while every session lives on.
 *
 * <p>Build time: the default build runs only row 3 "ZooKeeper frozen (SIGSTOP) for 0.5x lease"
 * ({@code storeFrozenForHalfALease}) of this class: the fault-tolerance pom includes it as {@code
 * ZooKeeperFaultToleranceIT.java#${faults.zookeeper.rows}}, and {@code faults.zookeeper.rows} is that
 * one method unless {@code -Pchaos} (or {@code -Dfaults.zookeeper.rows=*}) selects every row.
 */
class ZooKeeperFaultToleranceIT extends StoreFaultScenarios {

    ZooKeeperFaultToleranceIT() {
        super("zookeeper");
    }

    @Test
    @Order(101)
    void operatorDeletesTheElectionNodes() {
        termEndedBy("6. election nodes deleted by an operator (deleteall)", () -> store().wipe());
    }
}
