package dev.leaderelection;

/** Why an instance stopped being leader. */
public enum RevocationReason {
    /** Leadership was given up on request ({@link LeaderElector#yieldLeadership()}). */
    YIELDED,
    /** The elector was stopped, for example on application shutdown. */
    SHUTDOWN,
    /** The store answered that another instance (or none) now holds the lease. */
    LEASE_LOST,
    /** A store call failed or timed out, so the lease could not be proven. */
    STORE_UNREACHABLE,
    /** The local deadline passed before a renewal was confirmed. */
    DEADLINE_PASSED,
    /** The leader gave up its term on its {@linkplain RelinquishSchedule relinquish schedule}. */
    RELINQUISHED;

    /**
     * Whether the leader chose to step down. Either way the guarded calls in flight may finish (until
     * the term's local deadline at most) before the lease is released; a voluntary step-down also
     * tells the listeners when they did ({@link LeadershipListener#drained}).
     */
    public boolean isVoluntary() {
        return this == YIELDED || this == SHUTDOWN || this == RELINQUISHED;
    }
}
