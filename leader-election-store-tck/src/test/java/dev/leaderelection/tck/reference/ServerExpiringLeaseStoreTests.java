package dev.leaderelection.tck.reference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.ExpiryEnforcement;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.tck.LeaseStoreContract;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The whole contract against the in-memory store whose server expires leases and holds back grants
 * for one lease after losing its data, as Redis's restart guard does.
 */
class ServerExpiringLeaseStoreTests extends LeaseStoreContract {

    private final SharedLeases shared = new SharedLeases(ExpiryEnforcement.SERVER);
    private final LeaseStore store = new ServerExpiringLeaseStore(shared);

    @Override
    public LeaseStore store() {
        return store;
    }

    @Override
    public LeaseStore newClient() {
        return new ServerExpiringLeaseStore(shared);
    }

    @Override
    public void wipeStoreData() {
        shared.wipe();
    }

    @Test
    void expiryIsEnforcedByTheServer() {
        assertThat(store.expiry()).isEqualTo(ExpiryEnforcement.SERVER);
    }

    /** So that the data-loss case is proven against a store that holds back grants, as Redis does. */
    @Test
    void holdsBackTheFirstGrantAfterLosingItsDataForOneLease() {
        Duration lease = Duration.ofSeconds(10);
        answer(store.acquire("lost", LeaseToken.random("node-a"), lease));

        wipeStoreData();

        assertThat(answer(newClient().acquire("lost", LeaseToken.random("node-b"), lease)))
                .isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
                    assertThat(held.holder().instanceId()).isEqualTo(InMemoryLeaseStore.DATA_LOST);
                    assertThat(held.holder().remaining()).isBetween(lease.minusSeconds(5), lease);
                });
    }
}
