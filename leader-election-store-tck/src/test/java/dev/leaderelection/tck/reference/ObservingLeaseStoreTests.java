package dev.leaderelection.tck.reference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.store.ExpiryEnforcement;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.tck.LeaseStoreContract;
import org.junit.jupiter.api.Test;

/** The whole contract against the in-memory store whose observers judge expiry. */
class ObservingLeaseStoreTests extends LeaseStoreContract {

    private final SharedLeases shared = new SharedLeases(ExpiryEnforcement.OBSERVERS);
    private final LeaseStore store = new ObservingLeaseStore(shared);

    @Override
    public LeaseStore store() {
        return store;
    }

    @Override
    public LeaseStore newClient() {
        return new ObservingLeaseStore(shared);
    }

    @Override
    public void wipeStoreData() {
        shared.wipe();
    }

    @Test
    void expiryIsJudgedByObservers() {
        assertThat(store.expiry()).isEqualTo(ExpiryEnforcement.OBSERVERS);
    }
}
