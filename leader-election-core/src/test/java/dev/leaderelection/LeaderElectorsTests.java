package dev.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import org.junit.jupiter.api.Test;

class LeaderElectorsTests {

    private final ManualScheduler scheduler = new ManualScheduler();
    private final ScriptedLeaseStore store = new ScriptedLeaseStore();

    @Test
    void getShouldFindEveryElectionByNameAndTheDefaultOneFirst() {
        LeaderElector orders = elector("orders");
        LeaderElector billing = elector("billing");
        LeaderElector reports = elector("reports");

        LeaderElectors electors = LeaderElectors.of(orders, billing, reports);

        assertThat(electors.defaultElector()).isSameAs(orders);
        assertThat(electors.get("billing")).isSameAs(billing);
        assertThat(electors.get("orders")).isSameAs(orders);
        assertThat(electors.find("reports")).containsSame(reports);
        assertThat(electors.find("payroll")).isEmpty();
        assertThat(electors.names()).containsExactly("orders", "billing", "reports");
        assertThat(electors.all()).containsExactly(orders, billing, reports);
        assertThat(electors.hasSeveral()).isTrue();
        assertThat(LeaderElectors.of(orders).hasSeveral()).isFalse();
    }

    @Test
    void getOfAnUnknownElectionShouldNameTheKnownOnes() {
        LeaderElectors electors = LeaderElectors.of(elector("orders"), elector("billing"));

        assertThatExceptionOfType(UnknownElectionException.class)
                .isThrownBy(() -> electors.get("ordrs"))
                .withMessage("No election 'ordrs' here; known elections: orders, billing")
                .satisfies(ex -> {
                    assertThat(ex.election()).isEqualTo("ordrs");
                    assertThat(ex.knownElections()).containsExactly("orders", "billing");
                });
    }

    @Test
    void twoElectorsOfOneElectionShouldBeRefused() {
        LeaderElector first = elector("orders");
        LeaderElector second = elector("orders");

        assertThatIllegalArgumentException()
                .isThrownBy(() -> new LeaderElectors(first, List.of(second)))
                .withMessageContaining("Two electors of election 'orders'");
    }

    private LeaderElector elector(String election) {
        return new LeaseLeaderElector(
                election, "me", store, ElectionTimings.builder().build(), scheduler);
    }
}
