package dev.leaderelection;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

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
     * calls that were in flight when the term ended; the release of the lease has just been sent.
     */
    default void drained(Leadership leadership, Duration waited) {}

    /**
     * The leader this instance knows of changed: from its own grant or revocation, from the store's
     * answers to its campaign, or from the store's announcement of another instance's grant or
     * release. Heard by every instance, the leader itself included.
     *
     * @param leaderId the leader's instance id, or {@code null} when none is known (the lease was
     *     released, or the store cannot be reached)
     * @param fencingToken the leader's fencing token when known (this instance's own grant, or a
     *     grant announcement), else {@code null}
     */
    default void leaderChanged(@Nullable String leaderId, @Nullable Long fencingToken) {}

    /** The elector moved from one state to another. */
    default void stateChanged(ElectionState from, ElectionState to) {}

    /** A store call ended; {@code latency} runs from sending to the answer or the timeout. */
    default void storeCallCompleted(StoreOperation operation, StoreCallOutcome outcome, Duration latency) {}
}
