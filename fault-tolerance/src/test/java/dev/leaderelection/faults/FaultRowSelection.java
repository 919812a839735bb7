package dev.leaderelection.faults;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.PostDiscoveryFilter;

/**
 * Keeps the default build short: of a store's fault suite whose class is listed here, only the rows
 * (test methods) that a system property names are in the test plan; {@code all} (or no property)
 * keeps them all. Rows left out are taken out of the plan before it runs, so they are reported
 * neither as run nor as skipped. The fault-tolerance pom sets each property: one short row in the
 * default build (Redis: all but the longest repeats), {@code all} in the {@code chaos} profile.
 *
 * <p>Registered through {@code META-INF/services/org.junit.platform.launcher.PostDiscoveryFilter}.
 */
public final class FaultRowSelection implements PostDiscoveryFilter {

    /** The file store's rows: comma-separated method names of {@link StoreFaultScenarios}, or {@code all}. */
    static final String FILE_ROWS = "faults.file.rows";

    /** Test class name → the system property that selects its rows ({@code faults.<store>.rows}). */
    private static final Map<String, String> PROPERTIES = Map.of(
            "dev.leaderelection.faults.FaultToleranceIT", "faults.redis.rows",
            "dev.leaderelection.faults.FileFaultToleranceIT", FILE_ROWS,
            "dev.leaderelection.faults.EtcdFaultToleranceIT", "faults.etcd.rows",
            "dev.leaderelection.faults.JdbcFaultToleranceIT", "faults.jdbc.rows",
            "dev.leaderelection.faults.ZooKeeperFaultToleranceIT", "faults.zookeeper.rows",
            "dev.leaderelection.faults.SentinelFaultToleranceIT", "faults.redis-sentinel.rows");

    @Override
    public FilterResult apply(TestDescriptor descriptor) {
        if (!(descriptor.getSource().orElse(null) instanceof MethodSource method)) {
            return FilterResult.included("not a row");
        }
        String property = PROPERTIES.get(method.getClassName());
        if (property == null) {
            return FilterResult.included("every row of " + method.getClassName() + " runs");
        }
        Set<String> rows = rows(property);
        if (rows.contains("all") || rows.contains(method.getMethodName())) {
            return FilterResult.included(property + " selects " + method.getMethodName());
        }
        return FilterResult.excluded(method.getMethodName() + " is not in " + property + "=" + String.join(",", rows)
                + " (all rows: -Pchaos or -D" + property + "=all)");
    }

    private static Set<String> rows(String property) {
        String value = System.getProperty(property, "all");
        return Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(row -> !row.isEmpty())
                .collect(Collectors.toSet());
    }
}
