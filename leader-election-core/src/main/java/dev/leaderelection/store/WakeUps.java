package dev.leaderelection.store;

/** The state of a store's link that wakes followers when a leader releases its lease. */
public enum WakeUps {
    /** The link is up: a release wakes this instance within a round trip. */
    SUBSCRIBED,
    /** The link is down and being re-established; until then followers fall back to lease expiry. */
    RETRYING,
    /** The store has no wake-ups, or the elector is not running: followers wait for lease expiry. */
    NONE
}
