package dev.leaderelection.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.tck.LeaseStoreContract;
import dev.leaderelection.testing.etcd.EtcdExtension;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EtcdLeaseStoreTests extends LeaseStoreContract {

    private static final String PREFIX = "/test/";

    @RegisterExtension
    static final EtcdExtension etcd = new EtcdExtension();

    private static EtcdLeaseStore store;
    private static Client admin;

    private final List<LeaseStore> clients = new ArrayList<>();

    @BeforeAll
    static void connect() {
        store = EtcdClients.store(etcd.cluster(), PREFIX);
        admin = EtcdClients.connect(etcd.cluster());
    }

    @AfterAll
    static void disconnect() {
        store.close();
        admin.close();
    }

    @AfterEach
    void closeFurtherClients() {
        clients.forEach(LeaseStore::close);
    }

    @Override
    public LeaseStore store() {
        return store;
    }

    @Override
    public LeaseStore newClient() {
        LeaseStore client = EtcdClients.store(etcd.cluster(), PREFIX);
        clients.add(client);
        return client;
    }

    /** Deletes every key: the revision goes on, but every election's record (the token base) is gone. */
    @Override
    public void wipeStoreData() {
        EtcdClients.deleteAll(admin);
    }

    @Test
    void theLeaderKeyNamesTheHolderAndTheTermKeyCopiesIt() {
        LeaseToken token = LeaseToken.random("node-a");
        granted(store.acquire("orders", token, LONG_TTL));

        assertThat(EtcdClients.get(admin, PREFIX + "orders/leader")).isEqualTo(token.encoded());
        assertThat(EtcdClients.get(admin, PREFIX + "orders/term")).isEqualTo(token.encoded());
        assertThat(EtcdClients.get(admin, PREFIX + "orders/candidates/node-a")).isNotNull();
    }

    @Test
    void theTermKeepsOthersOutAfterAnOperatorDeletesTheLeaderKeyButTheHolderCannotRenew() {
        LeaseToken holder = LeaseToken.random("node-a");
        granted(store.acquire("deleted", holder, Duration.ofSeconds(10)));

        assertThat(EtcdClients.delete(admin, PREFIX + "deleted/leader")).isEqualTo(1);

        assertThat(answer(store.acquire("deleted", LeaseToken.random("node-b"), LONG_TTL)))
                .isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
                    assertThat(held.holder().instanceId()).isEqualTo("node-a");
                    assertThat(held.holder().remaining()).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10));
                });
        assertThat(answer(store.renew("deleted", holder, Duration.ofSeconds(10))))
                .as("fail-closed: the holder steps down")
                .isFalse();
        assertThat(answer(store.release("deleted", holder))).isTrue();
        granted(store.acquire("deleted", LeaseToken.random("node-b"), LONG_TTL));
    }

    @Test
    void leasesAreWholeSecondsRoundedUp() {
        assertThat(EtcdLeaseStore.wholeSeconds(Duration.ofMillis(200))).isEqualTo(1);
        assertThat(EtcdLeaseStore.wholeSeconds(Duration.ofSeconds(2))).isEqualTo(2);
        assertThat(EtcdLeaseStore.wholeSeconds(Duration.ofMillis(2001))).isEqualTo(3);
    }

    @Test
    void leasesUnderOneSecondAreRefusedBeforeTheyStart() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> store().checkLeaseDuration(Duration.ofMillis(999)))
                .withMessageStartingWith("is shorter than etcd's shortest lease, 1 s");
        store().checkLeaseDuration(Duration.ofSeconds(1));
    }

    @Test
    void electionNamesAreOneKeySegment() {
        store.checkElectionName("orders.eu-west_1:a");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> store.checkElectionName("a/b"))
                .withMessage("must consist of letters, digits, '.', '_', ':' and '-' only");
    }
}
