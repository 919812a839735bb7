package dev.leaderelection.store;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A shared store that holds one lease per election.
 *
 * <p>Every operation is atomic in the store and answers asynchronously; the engine bounds each call
 * with its own timeout and treats anything but a clear success as "not proven". Implementations must
 * never block the calling thread on I/O.
 */
public interface LeaseStore {

    /**
     * Takes the lease if it is free, or if {@code token} already holds it.
     *
     * @return {@link AcquireResult.Granted} with a fencing token larger than any earlier grant of
     *     the election, or {@link AcquireResult.Held} naming the current holder
     */
    CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl);

    /**
     * Extends the lease to {@code ttl} from now, but only while {@code token} holds it.
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
     * Calls {@code onRelease} whenever a holder releases the lease of {@code election}, so that
     * waiting instances can compete at once instead of waiting for the lease to expire. Delivery is
     * best effort: the engine never relies on it for correctness.
     *
     * <p>Stores without such a signal keep the default, which never calls back.
     */
    default Subscription subscribeToReleases(String election, Runnable onRelease) {
        return () -> {};
    }

    /** A short, lower-case name of the store kind, such as {@code redis}. */
    String kind();

    /** A registration that can be cancelled. */
    @FunctionalInterface
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
