package dev.leaderelection;

import java.util.Locale;

/** A kind of call the engine makes to its lease store. */
public enum StoreOperation {
    ACQUIRE,
    RENEW,
    RELEASE,
    /** Listing the candidates ({@link LeaderElector#candidates()}), for monitoring. */
    CANDIDATES;

    /** The lower-case name used in logs, messages and metric tags. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
