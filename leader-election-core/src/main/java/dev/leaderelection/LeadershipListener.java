package dev.leaderelection;

import java.time.Duration;

/**
 * Hears the transitions of one elector. Calls arrive one at a time on the election's thread, every
 * revocation before the next grant; a listener that throws is logged and does not disturb the
 * election. Keep listeners short: long work belongs on another thread.
 */
public interface LeadershipListener {

    /** This instance became leader. */
    default void granted(Leadership leadership) {}

    /** This instance stopped being leader; exactly one call follows every grant. */
    default void revoked(Leadership leadership, RevocationReason reason) {}

    /**
     * A voluntary step-down ({@link RevocationReason#isVoluntary()}) finished waiting for the guarded
     * calls that were in flight when the term ended; the lease is released next.
     */
    default void drained(Leadership leadership, Duration waited) {}

    /** The elector moved from one state to another. */
    default void stateChanged(ElectionState from, ElectionState to) {}

    /** A store call ended; {@code latency} runs from sending to the answer or the timeout. */
    default void storeCallCompleted(StoreOperation operation, StoreCallOutcome outcome, Duration latency) {}
}
