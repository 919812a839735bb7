package dev.leaderelection.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** The file rows of the default build: discovery only, no lab starts. */
class FaultRowSelectionTest {

    @Test
    void onlyTheNamedRowsOfTheFileSuiteAreInThePlan() {
        String before = System.getProperty(FaultRowSelection.FILE_ROWS);
        try {
            System.setProperty(FaultRowSelection.FILE_ROWS, "leaderFrozenForHalfALease");
            assertThat(rows(FileFaultToleranceIT.class)).isEqualTo(1);
            System.setProperty(FaultRowSelection.FILE_ROWS, "all");
            assertThat(rows(FileFaultToleranceIT.class)).isEqualTo(12);
            System.setProperty(FaultRowSelection.FILE_ROWS, "leaderFrozenForHalfALease");
            assertThat(rows(FaultToleranceIT.class)).as("Redis rows untouched").isEqualTo(20);
        } finally {
            if (before == null) {
                System.clearProperty(FaultRowSelection.FILE_ROWS);
            } else {
                System.setProperty(FaultRowSelection.FILE_ROWS, before);
            }
        }
    }

    private static long rows(Class<?> suite) {
        TestPlan plan = LauncherFactory.create()
                .discover(LauncherDiscoveryRequestBuilder.request()
                        .selectors(selectClass(suite))
                        .build());
        return plan.countTestIdentifiers(TestIdentifier::isTest);
    }
}
