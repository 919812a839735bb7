package dev.leaderelection.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A shared store that holds one lease per election.
 *
 * <p>Every operation is atomic in the store and answers asynchronously; the engine bounds each call
 * with its own timeout and treats anything but a clear success as "not proven". Implementations must
 * never block the calling thread on I/O.
 *
 * <p>Whoever owns the store (an application context, a test) calls {@link #start()} before the
 * electors start, {@link #stop()} after they stopped, and {@link #close()} once at the end. The
 * operations work without {@code start()}; it only prepares (connections, scripts, listening for
 * releases), so a store that needs none keeps the defaults.
 */
public interface LeaseStore extends AutoCloseable {

    /**
     * How much longer than the {@code ttl} it was given a store may keep a lease. A follower's sleep
     * until the end of a lease it saw is capped at the lease duration plus this.
     */
    Duration MAX_LEASE_MARGIN = Duration.ofMillis(25);

    /**
     * Takes the lease if it is free, or if {@code token} already holds it. A lease is free when
     * nobody holds it or it has expired, as {@link #expiry()} decides.
     *
     * @return {@link AcquireResult.Granted} with a fencing token larger than any earlier grant of
     *     the election, or {@link AcquireResult.Held} naming the current holder
     */
    CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl);

    /**
     * Extends the lease to {@code ttl} from now (plus at most {@link #MAX_LEASE_MARGIN}), but only
     * while {@code token} holds it.
     *
     * @return {@code true} if the lease was extended, {@code false} if another token (or none)
     *     holds it
     */
    CompletionStage<Boolean> renew(String election, LeaseToken token, Duration ttl);

    /**
     * Frees the lease, but only while {@code token} holds it, and wakes the other instances.
     *
     * @return {@code true} if this call freed the lease
     */
    CompletionStage<Boolean> release(String election, LeaseToken token);

    /** Reads who holds the lease now, if anyone. */
    CompletionStage<Optional<LeaseHolder>> inspect(String election);

    /**
     * Calls {@code listener} whenever the lease of {@code election} is released and, where the store
     * can announce them, granted, so that waiting instances compete at once instead of waiting for
     * the lease to expire, and every instance learns who leads within a round trip. Delivery is best
     * effort: the engine never relies on it for correctness.
     *
     * <p>Stores without such a signal keep the default, which never calls back and whose {@link
     * Subscription#state()} is {@link WakeUps#NONE}.
     */
    default Subscription subscribe(String election, LeaseChangeListener listener) {
        return () -> {};
    }

    /**
     * The instances that campaigned in {@code election} lately: every {@link #acquire} and {@link
     * #renew} call announces its caller (the token's instance id) as a candidate, on the call it
     * makes anyway, and a candidate stays listed for two of that call's {@code ttl}s after its last
     * call. A store may instead list a caller through a link of its own while that link is up, so
     * that a follower's poll writes nothing (the Redis store: a presence channel on its pub/sub
     * link); such a candidate too stays listed for two {@code ttl}s after its last call, drops out
     * at once when its link is lost, and is seen at the time of the listing. Stores that keep no
     * candidates keep the default, an empty list.
     *
     * @return the candidates, in no particular order, the holder included
     */
    default CompletionStage<List<Candidate>> candidates(String election) {
        return CompletableFuture.completedFuture(List.of());
    }

    /**
     * Who decides that a lease has run out. Stores whose server expires leases keep the default;
     * a store whose records are judged by their observers answers {@link ExpiryEnforcement#OBSERVERS}
     * and keeps, per client, what it saw and when.
     */
    default ExpiryEnforcement expiry() {
        return ExpiryEnforcement.SERVER;
    }

    /** A short, lower-case name of the store kind, such as {@code redis}. */
    String kind();

    /**
     * Checks that {@code election} can name an election in this store, so that a bad name fails at
     * startup rather than at the first store call. Names of letters, digits, '.', '_', ':' and '-'
     * must be accepted by every store.
     *
     * @throws IllegalArgumentException if the store cannot take this name, with a message that says
     *     which names it accepts, worded to follow the name: "must be at most 63 characters long"
     */
    default void checkElectionName(String election) {}

    /**
     * Checks that this store can hold leases of {@code leaseDuration} as configured, so that a lease
     * the store would silently lengthen fails at startup. Stores that take any positive duration keep
     * the default.
     *
     * @throws IllegalArgumentException if the store cannot, with a message worded to follow the
     *     value: "is shorter than ..."
     */
    default void checkLeaseDuration(Duration leaseDuration) {}

    /**
     * Prepares the store before the electors start: opens connections, loads scripts, listens for
     * releases. Must not fail when the store's server is unreachable: the electors stand by until it
     * answers. Calling it on a started store does nothing.
     */
    default void start() {}

    /** Stops what {@link #start()} began, after the electors stopped; operations keep working. */
    default void stop() {}

    /** Releases the store's resources for good, after {@link #stop()}; later operations fail. */
    @Override
    default void close() {}

    /**
     * A registration that can be cancelled. A store that has wake-ups establishes the link behind it
     * with retry and back-off until it succeeds, and again after any loss, until it is closed.
     */
    @FunctionalInterface
    interface Subscription extends AutoCloseable {
        @Override
        void close();

        /** The state of the link behind this registration; {@link WakeUps#NONE} for a store without. */
        default WakeUps state() {
            return WakeUps.NONE;
        }
    }
}
