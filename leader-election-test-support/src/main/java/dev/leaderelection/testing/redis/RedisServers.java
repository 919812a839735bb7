package dev.leaderelection.testing.redis;

import java.util.Locale;
import org.testcontainers.DockerClientFactory;

/**
 * Starts a {@link RedisServer}, by default in Docker when a Docker engine is reachable and as a
 * local process otherwise. The system property {@value #BACKEND_PROPERTY} ({@code auto}, {@code
 * process} or {@code docker}) overrides the choice.
 */
public final class RedisServers {

    /** The system property that picks the {@link Backend}. */
    public static final String BACKEND_PROPERTY = "leader.election.test.redis";

    /** Where the server runs. */
    public enum Backend {
        /** Docker if a Docker engine is reachable, a local process otherwise. */
        AUTO,
        /** A local {@code redis-server} process: {@link ProcessRedisServer}. */
        PROCESS,
        /** A Docker container: {@link ContainerRedisServer}. */
        DOCKER
    }

    private RedisServers() {}

    /** Starts a server on the backend that {@value #BACKEND_PROPERTY} names ({@code auto} if unset). */
    public static RedisServer start() {
        return start(configuredBackend());
    }

    /** Starts a server on {@code backend}. */
    public static RedisServer start(Backend backend) {
        RedisServer server = switch (backend) {
            case AUTO -> isDockerAvailable() ? new ContainerRedisServer() : new ProcessRedisServer();
            case PROCESS -> new ProcessRedisServer();
            case DOCKER -> new ContainerRedisServer();
        };
        server.start();
        return server;
    }

    /** Whether a Docker engine is reachable; asked once per JVM. */
    public static boolean isDockerAvailable() {
        return DockerProbe.AVAILABLE;
    }

    private static Backend configuredBackend() {
        String value = System.getProperty(BACKEND_PROPERTY, "auto");
        try {
            return Backend.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(
                    BACKEND_PROPERTY + " must be auto, process or docker, not '" + value + "'", ex);
        }
    }

    /** Holds the cached answer: the first call to {@link #isDockerAvailable()} asks Docker. */
    private static final class DockerProbe {

        static final boolean AVAILABLE = probe();

        private static boolean probe() {
            try {
                return DockerClientFactory.instance().isDockerAvailable();
            } catch (Throwable ex) { // any failure, even a linkage error, means no Docker
                return false;
            }
        }
    }
}
