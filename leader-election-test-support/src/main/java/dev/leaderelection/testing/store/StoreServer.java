package dev.leaderelection.testing.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A store's server as the fault suite, the benchmarks and the demo use it, whatever the store: they
 * start it, crash it, freeze it, restart it, wipe its data, and hand the applications the properties
 * that reach it. A store without a server (the file store) supports none of the faults: see {@link
 * #capabilities()}; callers check a capability before they use it and report "n/a" otherwise.
 */
public interface StoreServer extends AutoCloseable {

    /** What a server lets a test do to it, beyond start and close. */
    enum Capability {
        /** {@link #kill()}: SIGKILL, or the nearest thing for an in-JVM server. */
        KILL,
        /** {@link #freeze()} and {@link #resume()}: SIGSTOP and SIGCONT, connections stay open. */
        FREEZE,
        /** {@link #restart()}: a new process on the same port. */
        RESTART,
        /** {@link #wipe()}: every election's data deleted while the server runs. */
        WIPE,
        /**
         * The applications reach the server on one TCP {@link #port()}, so a proxy can stand in
         * between (network cuts, latency): see {@link #applicationProperties(int)}.
         */
        PROXY
    }

    /** The store's name, as {@code leader.election.store} and the sample app's profile spell it. */
    String name();

    /** The store as people name it in a sentence or a table: {@code Redis}, {@code PostgreSQL}. */
    String displayName();

    /** What this server supports; a method outside it throws {@link UnsupportedOperationException}. */
    Set<Capability> capabilities();

    default boolean supports(Capability capability) {
        return capabilities().contains(capability);
    }

    /**
     * Whether a {@link #restart()} keeps the store's data; when it does not (Redis as the suite runs
     * it, without persistence), the restarted server is empty.
     */
    boolean keepsDataOnRestart();

    /** Starts the server if it does not run; after {@link #kill()} it starts on the same port. */
    void start();

    /** Kills the server at once (SIGKILL): no goodbye to its clients. No-op if it does not run. */
    void kill();

    /** Freezes the server (SIGSTOP): connections still open, nothing answered. No-op if frozen. */
    void freeze();

    /** Lets a frozen server run again (SIGCONT). No-op if not frozen. */
    void resume();

    /** Kills the server and starts it again on the same port (and data, if it {@link #keepsDataOnRestart() keeps} any). */
    default void restart() {
        kill();
        start();
    }

    /** Deletes every election's data; the server keeps running. */
    void wipe();

    /** Whether the server runs (a frozen one counts as running). */
    boolean isRunning();

    /** The loopback TCP port the applications connect to, if the store has one. */
    OptionalInt port();

    /**
     * What an application needs to use this server, as Spring properties in order: {@code
     * spring.profiles.active} and {@code leader.election.store} set to {@link #name()}, then the
     * connection properties.
     */
    default Map<String, String> applicationProperties() {
        OptionalInt port = port();
        return port.isPresent() ? applicationProperties(port.getAsInt()) : applicationProperties(0);
    }

    /**
     * As {@link #applicationProperties()}, but reaching the server through {@code port} of the
     * loopback address (a proxy in front of {@link #port()}). Stores without a port ignore it.
     */
    Map<String, String> applicationProperties(int port);

    /** {@code properties} as command-line arguments of a Spring Boot application: {@code --key=value}. */
    static List<String> arguments(Map<String, String> properties) {
        List<String> arguments = new ArrayList<>();
        properties.forEach((key, value) -> arguments.add("--" + key + "=" + value));
        return arguments;
    }

    /** A line that describes the running server for people: where it listens, what runs it. */
    String describe();

    /** Stops the server for good and frees its resources (its data too). */
    @Override
    void close();
}
