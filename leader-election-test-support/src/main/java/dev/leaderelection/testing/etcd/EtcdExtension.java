package dev.leaderelection.testing.etcd;

import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test class a real etcd cluster (one member unless told otherwise) from the {@code etcd}
 * on {@code PATH}, and every test a running, unfrozen one:
 *
 * <pre>{@code
 * @RegisterExtension
 * static EtcdExtension etcd = new EtcdExtension();
 * }</pre>
 *
 * <p>Without an {@code etcd} executable the tests are skipped with one line that says how to
 * install it ({@link EtcdBinary#HOW_TO_ENABLE}), and fail instead when the environment variable
 * {@code CI} is {@code true}, so that CI never passes without them. Before each test the extension
 * resumes frozen members and restarts killed ones, keeping their data; the test wipes what it
 * needs to. Test and lifecycle methods can also take an {@link EtcdCluster} parameter.
 */
public final class EtcdExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver {

    private static final AtomicBoolean SAID_HOW_TO_ENABLE = new AtomicBoolean();

    private final int size;
    private @Nullable EtcdCluster cluster;
    private @Nullable Class<?> owner;

    /** A single-member cluster. */
    public EtcdExtension() {
        this(1);
    }

    /** A cluster of {@code size} members. */
    public EtcdExtension(int size) {
        this.size = size;
    }

    /** The cluster; available from before all tests until after them. */
    public EtcdCluster cluster() {
        EtcdCluster current = cluster;
        if (current == null) {
            throw new IllegalStateException(
                    "No etcd cluster: register EtcdExtension with @RegisterExtension on a static field");
        }
        return current;
    }

    /** The client URLs of the members. */
    public String[] endpoints() {
        return cluster().endpoints().toArray(String[]::new);
    }

    /**
     * Skips the calling test when there is no {@code etcd} executable, or fails it when {@code
     * CI=true}; for tests that start etcd on their own.
     */
    public static void assumeEtcdAvailable() {
        if (EtcdBinary.isAvailable()) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but " + EtcdBinary.HOW_TO_ENABLE.replace("skipped", "cannot run"));
        }
        if (SAID_HOW_TO_ENABLE.compareAndSet(false, true)) {
            System.err.println(EtcdBinary.HOW_TO_ENABLE);
        }
        Assumptions.abort(EtcdBinary.HOW_TO_ENABLE);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        assumeEtcdAvailable();
        // @Nested classes inherit the extension: they share the outer class's cluster.
        if (cluster == null) {
            cluster = EtcdCluster.start(size);
            owner = context.getRequiredTestClass();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        EtcdCluster current = cluster;
        if (current != null && context.getRequiredTestClass() == owner) {
            cluster = null;
            owner = null;
            current.close();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        cluster().startAll();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == EtcdCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return cluster();
    }
}
