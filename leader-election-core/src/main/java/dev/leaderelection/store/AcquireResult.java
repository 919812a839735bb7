package dev.leaderelection.store;

/** The answer of {@link LeaseStore#acquire}: granted with a fencing token, or held by another. */
public sealed interface AcquireResult {

    /**
     * The caller now holds the lease.
     *
     * @param fencingToken strictly larger than the token of every earlier grant of the election
     */
    record Granted(long fencingToken) implements AcquireResult {}

    /** Someone else holds the lease. */
    record Held(LeaseHolder holder) implements AcquireResult {}
}
