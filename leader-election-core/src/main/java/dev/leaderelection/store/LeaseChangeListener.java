package dev.leaderelection.store;

/**
 * Hears how the lease of one election changes hands, as far as the store can tell other instances:
 * a release (the lease is free now) and, where the store announces them, a grant; and, where the
 * store keeps leases alive over a connection, the loss of that connection. Delivery is best effort
 * and may repeat; the engine never relies on it for correctness, only for speed.
 *
 * <p>Called on a thread of the store's: implementations hand the work to their own thread and
 * return at once.
 */
@FunctionalInterface
public interface LeaseChangeListener {

    /** A holder released the lease of the election: it is free now. */
    void released();

    /**
     * A holder was granted the lease of the election (the grant announcement). Stores that cannot
     * announce grants never call it.
     *
     * @param instanceId the new holder's instance id
     * @param fencingToken the fencing token of that grant
     */
    default void granted(String instanceId, long fencingToken) {}

    /**
     * The store lost the connection that keeps this client's leases alive (a ZooKeeper session's
     * link): until it is back no lease of this client can be proven, so a leader steps down at once
     * rather than at its next renewal. Stores whose every call proves the lease itself never call it.
     */
    default void linkLost() {}
}
