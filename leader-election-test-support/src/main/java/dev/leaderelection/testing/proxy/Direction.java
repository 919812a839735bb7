package dev.leaderelection.testing.proxy;

/** One direction of the traffic through a {@link TcpProxy}. */
public enum Direction {
    /** From the application to the server: requests. */
    UPSTREAM,
    /** From the server to the application: replies. */
    DOWNSTREAM
}
