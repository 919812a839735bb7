/**
 * Whole Spring Boot applications that take part in one election, for the side-by-side benchmark:
 * this project's starter, and the peers users reach for instead (Spring Integration's {@code
 * LockRegistryLeaderInitiator} on a {@code RedisLockRegistry}, and a Redisson {@code RLock} loop),
 * each as users write it, with its library's defaults except the lease. Each prints its grants as
 * {@code EVENT <nanoTime> GRANTED} lines that the harness reads.
 */
@NullMarked
package dev.leaderelection.benchmarks.peers;

import org.jspecify.annotations.NullMarked;
