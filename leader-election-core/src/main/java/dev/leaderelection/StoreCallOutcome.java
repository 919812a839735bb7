package dev.leaderelection;

/** How a store call ended, as the engine saw it. */
public enum StoreCallOutcome {
    /** The store answered (whatever the answer said). */
    SUCCESS,
    /** The store answered with an error, or the call could not be sent. */
    FAILURE,
    /** No answer within the operation timeout. */
    TIMEOUT
}
