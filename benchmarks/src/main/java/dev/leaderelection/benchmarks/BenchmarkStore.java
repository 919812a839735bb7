package dev.leaderelection.benchmarks;

import dev.leaderelection.ElectionScheduler;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaseLeaderElector;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A store as the failover and store-load benchmarks see it: a running server, electors with
 * connections of their own (in this JVM, or in an {@link ElectorApp} child given {@link
 * #connection()}), and what the server can tell about itself. A store plugs in with an
 * implementation and one case in {@link BenchmarkStores}.
 */
interface BenchmarkStore extends AutoCloseable {

    /** The store's name, as {@code leader.election.store} spells it. */
    String name();

    /** The store as a table names it: {@code Redis}, {@code PostgreSQL}. */
    String displayName();

    /** The server and its version, for the report: {@code redis-server 7.0.15}. */
    String server();

    /**
     * One command-line argument from which {@link BenchmarkStores#elector} builds a client of this
     * store in an {@link ElectorApp} child: for Redis the port.
     */
    String connection();

    /**
     * An elector of {@code election} in this JVM with a store client and connections of its own, as
     * a separate application would have; with {@code shared} it may share this JVM's event loops
     * with the other electors of the store (the server sees the same connections).
     */
    Elector elector(
            String election, String instanceId, ElectionTimings timings, ElectionScheduler scheduler, boolean shared);

    /** Counts what the server does, if it can: requests and commands per second, its CPU. */
    Optional<Counter> counter();

    /** Milliseconds until {@code election}'s lease ends, on the server's clock, if it can tell. */
    OptionalLong remainingLeaseMillis(String election);

    /** How many clients listen for {@code election}'s releases now, if the server can tell. */
    OptionalLong releaseListeners(String election);

    /** Stops what {@link BenchmarkStores#start} started. */
    @Override
    void close();

    /** An elector and what it runs on; {@link #close()} stops the elector, then frees the rest. */
    record Elector(LeaseLeaderElector elector, AutoCloseable resources) implements AutoCloseable {

        @Override
        public void close() {
            elector.stop();
            try {
                resources.close();
            } catch (Exception ex) {
                throw new IllegalStateException("Cannot close the store client of " + elector, ex);
            }
        }
    }

    /** The server's counters, read on demand. */
    interface Counter {

        /** The counters now. */
        RedisStats.Snapshot snapshot();
    }
}
