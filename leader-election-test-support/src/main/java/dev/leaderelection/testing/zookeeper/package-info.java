/**
 * A ZooKeeper server as a child JVM of its own, for tests, the fault suite and the demo: killed with
 * SIGKILL, frozen with SIGSTOP, restarted on the same data directory and port.
 */
@NullMarked
package dev.leaderelection.testing.zookeeper;

import org.jspecify.annotations.NullMarked;
