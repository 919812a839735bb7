/**
 * Real {@code etcd} processes for tests, the fault suite, the benchmarks and the demo: single
 * members and clusters on loopback ports, each member with its own data directory, that a test can
 * kill, freeze, thaw and restart from the same data.
 */
@NullMarked
package dev.leaderelection.testing.etcd;

import org.jspecify.annotations.NullMarked;
