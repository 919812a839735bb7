package dev.leaderelection.testing.redis;

import org.jspecify.annotations.Nullable;

/** A real Redis server that a test can kill, restart, pause and resume. */
public interface RedisServer extends AutoCloseable {

    /** The address to connect to: always the loopback address. */
    default String host() {
        return LocalPorts.HOST;
    }

    /** The port to connect to; it stays the same across restarts. */
    int port();

    /** Starts the server; after {@link #kill()} it starts again, empty, on the same port. No-op if running. */
    void start();

    /** Kills the server at once, as SIGKILL does: every key is lost. */
    void kill();

    /** Freezes the server: connections still open, but nothing is answered. No-op if already paused. */
    void pause();

    /** Lets a paused server run again. No-op if not paused. */
    void resume();

    /** Whether the server is up (a paused server counts as up). */
    boolean isRunning();

    /**
     * Sends one command over a fresh connection and returns the reply as text: the value of a simple
     * string, integer or bulk string ({@code null} for nil), or the elements of an array, one per line.
     *
     * @throws IllegalStateException if Redis answers with an error
     */
    default @Nullable String command(String... args) {
        return Resp.command(port(), Resp.COMMAND_TIMEOUT, args);
    }

    /** Stops the server for good and frees its resources. */
    @Override
    void close();
}
