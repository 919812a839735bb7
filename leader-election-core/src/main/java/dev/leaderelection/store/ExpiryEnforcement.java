package dev.leaderelection.store;

/** Who decides that a lease has run out: the store's server, or each client on its own clock. */
public enum ExpiryEnforcement {

    /**
     * The server frees a lease when its time is up (Redis {@code PX}, a database clock, an etcd
     * lease, a ZooKeeper session): an expired lease is free to the next acquire at once.
     */
    SERVER,

    /**
     * The record stays until someone overwrites it, and every client judges it on its own
     * monotonic clock (a Kubernetes Lease, as client-go does): acquire takes a record held by
     * another only after this client has seen it unchanged (same holder, same version) for the
     * whole lease duration the record states, counted from its own first sight of that version. A
     * client that has just started has seen nothing yet, however old the record looks.
     */
    OBSERVERS
}
