package dev.leaderelection;

/** Where an instance stands in its election. */
public enum ElectionState {
    /** Another instance holds the lease; this one waits for it to end. */
    FOLLOWER,
    /** The lease looks free and this instance is trying to take it. */
    CANDIDATE,
    /** This instance holds the lease and its local deadline lies in the future. */
    LEADER,
    /** The store cannot be reached: this instance neither leads nor knows who does (fail-closed). */
    STANDBY,
    /** The elector is not running. */
    STOPPED
}
