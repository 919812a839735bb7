package dev.leaderelection.testing.redis;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test class one real Redis server, and every test an empty, running, unpaused one:
 *
 * <pre>{@code
 * @RegisterExtension
 * static RedisServerExtension redis = new RedisServerExtension();
 * }</pre>
 *
 * <p>The server starts before all tests and stops after them. Before each test the extension
 * restarts it if a test killed it, resumes it if a test paused it, and empties it with {@code
 * FLUSHALL}. Test and lifecycle methods can also take a {@link RedisServer} parameter.
 */
public final class RedisServerExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver {

    private final Supplier<RedisServer> starter;
    private @Nullable RedisServer server;
    private @Nullable Class<?> owner;

    /** Runs the server on the backend that {@value RedisServers#BACKEND_PROPERTY} picks. */
    public RedisServerExtension() {
        this.starter = RedisServers::start;
    }

    /** Runs the server on {@code backend}, whatever the system property says. */
    public RedisServerExtension(RedisServers.Backend backend) {
        this.starter = () -> RedisServers.start(backend);
    }

    /** The server; available from before all tests until after them. */
    public RedisServer server() {
        RedisServer current = server;
        if (current == null) {
            throw new IllegalStateException(
                    "No Redis server: register RedisServerExtension with @RegisterExtension on a static field");
        }
        return current;
    }

    /**
     * Sends one command over a fresh connection and returns the reply as text: the value of a simple
     * string, integer or bulk string ({@code null} for nil), or the elements of an array, one per line.
     *
     * @throws IllegalStateException if Redis answers with an error
     */
    public @Nullable String command(String... args) {
        return server().command(args);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // @Nested classes inherit the extension: they share the outer class's server.
        if (server == null) {
            server = starter.get();
            owner = context.getRequiredTestClass();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RedisServer current = server;
        if (current != null && context.getRequiredTestClass() == owner) {
            server = null;
            owner = null;
            current.close();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        RedisServer current = server();
        if (current.isRunning()) {
            current.resume();
        } else {
            current.start();
        }
        command("FLUSHALL");
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == RedisServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return server();
    }
}
