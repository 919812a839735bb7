package dev.leaderelection;

import dev.leaderelection.store.Candidate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Takes part in one election and tells, at any moment and without a store round trip, whether this
 * instance may act as leader.
 */
public interface LeaderElector {

    /** The name of the election; instances with the same name compete. */
    String election();

    /** This instance's id. */
    String instanceId();

    /** Starts campaigning. Calling it on a running elector does nothing. */
    void start();

    /**
     * Stops: ends leadership at once (new guarded calls are refused), lets the guarded calls in
     * flight return, at most until the term's local deadline, then releases the lease and wakes the
     * other instances. Blocks at most for the lease duration plus the operation timeout, even when
     * the store cannot be reached. The same as {@code stop(true)}.
     */
    default void stop() {
        stop(true);
    }

    /**
     * Stops like {@link #stop()}; with {@code releaseLease} false the lease is left to expire in the
     * store, so no other instance takes over before it would have anyway.
     */
    void stop(boolean releaseLease);

    /**
     * Whether this instance is leader now: it holds a term and the term's local deadline lies in
     * the future. Reads a volatile field and the monotonic clock; never calls the store.
     */
    boolean isLeader();

    /**
     * Enters a guarded call: counts it in flight and answers {@code true} if this instance is leader
     * now; answers {@code false}, counting nothing, otherwise. Every {@code true} must be followed by
     * exactly one {@link #exitGuarded()}, in a {@code finally} block. A voluntary step-down (yield,
     * shutdown) refuses new guarded calls at once and releases the lease only once the calls in
     * flight have exited or the term's local deadline has come, whichever is first.
     */
    default boolean tryEnterGuarded() {
        return isLeader();
    }

    /** Leaves a guarded call that {@link #tryEnterGuarded()} let in. */
    default void exitGuarded() {}

    /** The current term, while {@link #isLeader()} holds. */
    Optional<Leadership> currentLeadership();

    /** The current state of the election loop. */
    ElectionState state();

    /** A snapshot of the elector for monitoring: state, leader, lease, last renewal and error. */
    ElectionStatus status();

    /** The instance id of the leader as last seen, or {@code null} if unknown. */
    @Nullable
    String leaderId();

    /**
     * The instances that campaign in this election, as the store lists them (this one included,
     * once it has called the store): asks the store, bounded by the operation timeout. An elector
     * on a store that keeps no candidates answers an empty list.
     */
    default CompletionStage<List<Candidate>> candidates() {
        return CompletableFuture.completedFuture(List.of());
    }

    /**
     * Gives up leadership at once, releases the lease once the guarded calls in flight have
     * returned (at most at the term's local deadline), and sits out a cooldown so another instance
     * can take over. Returns without waiting for the release. Does nothing on a follower.
     */
    void yieldLeadership();

    /** Registers a listener for this elector's transitions. */
    void addListener(LeadershipListener listener);

    /** Removes a listener added before. */
    void removeListener(LeadershipListener listener);
}
