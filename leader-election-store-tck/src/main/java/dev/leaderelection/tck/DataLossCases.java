package dev.leaderelection.tck;

import static dev.leaderelection.store.LeaseStore.MAX_LEASE_MARGIN;
import static dev.leaderelection.tck.StoreCalls.answer;
import static dev.leaderelection.tck.StoreCalls.granted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.store.LeaseToken;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A store that loses the election's data (an empty restart, a dropped table, a deleted object) still
 * hands out fencing tokens above every earlier one: each store floors its counter at a clock in
 * microseconds. It may hold back grants for up to one lease after the loss, so that a leader that
 * still trusts its deadline steps down first, answering "held" with the time left.
 */
interface DataLossCases extends StoreUnderTest {

    /** The lease of the grants around the loss, and so the longest a store may hold back grants after it. */
    Duration LOST_DATA_LEASE = Duration.ofMillis(500);

    @Test
    default void fencingTokensStayAboveEveryEarlierOneAfterTheStoreLosesItsData(TestInfo test) {
        String election = election(test);
        List<Long> earlier = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            LeaseToken token = LeaseToken.random("node-" + i);
            earlier.add(granted(store().acquire(election, token, LOST_DATA_LEASE)));
            assertThat(answer(store().release(election, token))).isTrue();
        }
        earlier.add(granted(store().acquire(election, LeaseToken.random("node-held"), LOST_DATA_LEASE)));

        wipeStoreData();

        // One lease of holding back, then room for a busy machine.
        Duration bound = LOST_DATA_LEASE.multipliedBy(2).plusSeconds(5);
        Campaign campaign =
                Campaign.untilGranted(store(), election, LeaseToken.random("node-new"), LOST_DATA_LEASE, bound);
        assertThat(campaign.fencingToken()).isGreaterThan(Collections.max(earlier));
        assertThat(campaign.refusals())
                .as("a store holding back grants after losing its data says for how long, at most one lease")
                .allSatisfy(refusal -> assertThat(refusal.remaining())
                        .isNotNull()
                        .isLessThanOrEqualTo(LOST_DATA_LEASE.plus(MAX_LEASE_MARGIN)));
    }

    @Test
    default void aLeaseLostWithTheStoresDataCanNeitherBeRenewedNorReleased(TestInfo test) {
        String election = election(test);
        LeaseToken holder = LeaseToken.random("node-a");
        granted(store().acquire(election, holder, LONG_TTL));

        wipeStoreData();

        assertThat(answer(store().renew(election, holder, LONG_TTL)))
                .as("fail-closed: the holder steps down")
                .isFalse();
        assertThat(answer(store().release(election, holder))).isFalse();
    }
}
