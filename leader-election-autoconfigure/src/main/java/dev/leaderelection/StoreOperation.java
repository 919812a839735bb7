package dev.leaderelection;

/** A kind of call the engine makes to its lease store. */
public enum StoreOperation {
    ACQUIRE,
    RENEW,
    RELEASE
}
