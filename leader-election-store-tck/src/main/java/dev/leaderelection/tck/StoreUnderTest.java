package dev.leaderelection.tck;

import dev.leaderelection.store.LeaseStore;
import java.time.Duration;
import org.junit.jupiter.api.TestInfo;

/** What the groups of contract cases need from a store's test; {@link LeaseStoreContract} documents each. */
interface StoreUnderTest {

    /** A lease no test waits for. */
    Duration LONG_TTL = Duration.ofSeconds(30);

    LeaseStore store();

    LeaseStore newClient();

    void wipeStoreData();

    boolean notifiesReleases();

    String election(TestInfo test);
}
