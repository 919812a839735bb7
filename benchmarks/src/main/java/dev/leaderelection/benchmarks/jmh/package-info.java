/**
 * The JMH micro-benchmark of {@link dev.leaderelection.annotation.LeaderOnly}: a guarded call on the
 * leader and on a follower against the same plain call, through the shipped interceptor and a real elector
 * whose role a fixed in-memory store decides.
 */
@NullMarked
package dev.leaderelection.benchmarks.jmh;

import org.jspecify.annotations.NullMarked;
