/**
 * Benchmarks of the election against a real {@code redis-server} process: failover after a crash,
 * hand-off after a graceful stop or a yield, the store load of idle followers, and the cost of
 * many elections in one JVM. {@link dev.leaderelection.benchmarks.Benchmarks} runs them all,
 * with the {@code @LeaderOnly} micro-benchmark in {@code .jmh}, and writes {@code
 * docs/benchmarks.md}.
 *
 * <p>Figures measured here are published, never asserted: the smoke test only proves that each
 * measurement happens.
 */
@NullMarked
package dev.leaderelection.benchmarks;

import org.jspecify.annotations.NullMarked;
