package dev.leaderelection.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.ExpiryEnforcement;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.tck.LeaseStoreContract;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The contract, and what is particular to Leases, against fabric8's mock API server in CRUD mode. */
class KubernetesLeaseStoreTests extends LeaseStoreContract {

    private static MockApiServer api;
    private static KubernetesClient client;
    private static KubernetesLeaseStore store;

    private final List<KubernetesLeaseStore> clients = new ArrayList<>();

    @BeforeAll
    static void startApiServer() {
        api = new MockApiServer();
        client = api.newClient();
        store = new KubernetesLeaseStore(client, MockApiServer.NAMESPACE, KubernetesLeaseStore.DEFAULT_LEASE_PREFIX);
        // the first call of a JVM loads the client's model and serialization: seconds on a busy machine
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        store.inspect("warm-up").toCompletableFuture().join().isEmpty());
    }

    @AfterAll
    static void stopApiServer() {
        store.close();
        api.close();
    }

    @AfterEach
    void closeFurtherClients() {
        clients.forEach(KubernetesLeaseStore::close);
    }

    @Override
    public LeaseStore store() {
        return store;
    }

    /** Another process: a client and observations of its own. */
    @Override
    public KubernetesLeaseStore newClient() {
        KubernetesLeaseStore other =
                new KubernetesLeaseStore(api.newClient(), MockApiServer.NAMESPACE, store.leasePrefix());
        clients.add(other);
        return other;
    }

    /** Every Lease of the namespace deleted, as an operator could. */
    @Override
    public void wipeStoreData() {
        client.leases().inNamespace(MockApiServer.NAMESPACE).delete();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> client.leases()
                        .inNamespace(MockApiServer.NAMESPACE)
                        .list()
                        .getItems()
                        .isEmpty());
    }

    @Test
    void expiryIsJudgedByObservers() {
        assertThat(store.expiry()).isEqualTo(ExpiryEnforcement.OBSERVERS);
        assertThat(store.kind()).isEqualTo("kubernetes");
    }

    @Test
    void aGrantWritesAnOrdinaryLeaseWithTheLeaseRoundedUpToWholeSeconds(TestInfo test) {
        LeaseToken token = LeaseToken.random("node-a");
        long first = granted(store.acquire(election(test), token, Duration.ofMillis(1500)));
        long second = granted(store.acquire(election(test), token, Duration.ofMillis(1500)));

        Lease lease = lease(test);
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("node-a");
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(2);
        assertThat(lease.getSpec().getLeaseTransitions()).isEqualTo(1);
        assertThat(lease.getSpec().getAcquireTime()).isNotNull();
        assertThat(lease.getMetadata().getAnnotations())
                .containsEntry(LeaseRecords.FENCING_TOKEN, Long.toString(second))
                .containsEntry(LeaseRecords.ELECTION, election(test));
        assertThat(second).isGreaterThan(first).isGreaterThan(LeaseRecords.nowMicros() - 60_000_000L);
    }

    @Test
    void releaseClearsTheHolderAsClientGoDoes(TestInfo test) {
        LeaseToken token = LeaseToken.random("node-a");
        granted(store.acquire(election(test), token, LONG_TTL));

        assertThat(answer(store.release(election(test), token))).isTrue();

        Lease lease = lease(test);
        assertThat(lease.getSpec().getHolderIdentity()).isNull();
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
    }

    @Test
    void everyRenewalChangesTheRecordAnObserverCompares(TestInfo test) {
        LeaseToken token = LeaseToken.random("node-a");
        granted(store.acquire(election(test), token, LONG_TTL));
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            assertThat(answer(store.renew(election(test), token, LONG_TTL))).isTrue();
            versions.add(LeaseRecords.observedVersion(lease(test)));
        }
        // renew times in microseconds survive the round trip, and never repeat
        assertThat(versions).doesNotHaveDuplicates();
    }

    @Test
    void aLeaseDeletedByAnOperatorEndsTheTermAndLaterTokensStayLarger(TestInfo test) {
        LeaseToken holder = LeaseToken.random("node-a");
        long before = granted(store.acquire(election(test), holder, LONG_TTL));

        client.leases()
                .inNamespace(MockApiServer.NAMESPACE)
                .withName(store.leaseName(election(test)))
                .delete();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> answer(store.inspect(election(test))).isEmpty());

        assertThat(answer(store.renew(election(test), holder, LONG_TTL))).isFalse();
        assertThat(granted(newClient().acquire(election(test), LeaseToken.random("node-b"), LONG_TTL)))
                .isGreaterThan(before);
    }

    @Test
    void severalClientsRacingForAFreeLeaseGrantExactlyOneEachRound(TestInfo test) {
        List<KubernetesLeaseStore> racers =
                IntStream.range(0, 4).mapToObj(i -> newClient()).toList();
        long lastToken = 0;
        for (int round = 0; round < 10; round++) {
            List<LeaseToken> tokens = IntStream.range(0, racers.size())
                    .mapToObj(i -> LeaseToken.random("node-" + i))
                    .toList();
            List<CompletableFuture<AcquireResult>> answers = IntStream.range(0, racers.size())
                    .mapToObj(i -> racers.get(i)
                            .acquire(election(test), tokens.get(i), LONG_TTL)
                            .toCompletableFuture())
                    .toList();
            List<Integer> winners = IntStream.range(0, racers.size())
                    .filter(i -> answer(answers.get(i)) instanceof AcquireResult.Granted)
                    .boxed()
                    .toList();

            assertThat(winners).as("round %d", round).hasSize(1);
            int winner = winners.get(0);
            long token = ((AcquireResult.Granted) answer(answers.get(winner))).fencingToken();
            assertThat(token).isGreaterThan(lastToken);
            lastToken = token;
            IntStream.range(0, racers.size())
                    .filter(i -> i != winner)
                    .forEach(i -> assertThat(answer(answers.get(i)))
                            .isInstanceOfSatisfying(
                                    AcquireResult.Held.class,
                                    held -> assertThat(held.holder().instanceId())
                                            .isEqualTo("node-" + winner)));
            assertThat(answer(racers.get(winner).release(election(test), tokens.get(winner))))
                    .isTrue();
        }
    }

    @Test
    void anIdleFollowerMakesOneRequestPerAcquireAndIsListedAsACandidate(TestInfo test) {
        LeaseToken holder = LeaseToken.random("node-a");
        granted(store.acquire(election(test), holder, LONG_TTL));
        KubernetesLeaseStore follower = newClient();
        LeaseToken token = LeaseToken.random("node-b");

        for (int i = 0; i < 3; i++) {
            int before = api.requestCount();
            assertThat(answer(follower.acquire(election(test), token, LONG_TTL)))
                    .isInstanceOf(AcquireResult.Held.class);
            assertThat(api.requestCount() - before)
                    .as("requests of acquire %d (the first announces)", i)
                    .isEqualTo(1);
        }
        assertThat(answer(
                        answer(store.renew(election(test), holder, LONG_TTL))
                                ? store.candidates(election(test))
                                : null))
                .extracting(Candidate::instanceId)
                .containsExactlyInAnyOrder("node-a", "node-b");
    }

    @Test
    void aCandidatesAnnouncementNeitherRestartsTheWatchNorCostsTheHolderItsLease(TestInfo test) {
        LeaseToken holder = LeaseToken.random("node-a");
        granted(store.acquire(election(test), holder, Duration.ofSeconds(1)));
        KubernetesLeaseStore observer = newClient();
        LeaseToken token = LeaseToken.random("node-b");
        assertThat(answer(observer.acquire(election(test), token, Duration.ofSeconds(1))))
                .isInstanceOf(AcquireResult.Held.class);
        // a third client announces itself after the holder wrote: the resource version changes
        assertThat(answer(newClient().acquire(election(test), LeaseToken.random("node-c"), Duration.ofSeconds(1))))
                .isInstanceOf(AcquireResult.Held.class);

        assertThat(answer(store.renew(election(test), holder, Duration.ofSeconds(1))))
                .as("the holder renews over a candidate's announcement")
                .isTrue();
    }

    @Test
    void theWatchAnnouncesGrantsAndReleases(TestInfo test) {
        List<String> heard = new CopyOnWriteArrayList<>();
        try (LeaseStore.Subscription subscription = newClient().subscribe(election(test), new LeaseChangeListener() {
            @Override
            public void released() {
                heard.add("released");
            }

            @Override
            public void granted(String instanceId, long fencingToken) {
                heard.add("granted " + instanceId + " " + fencingToken);
            }
        })) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> subscription.state() == dev.leaderelection.store.WakeUps.SUBSCRIBED);
            LeaseToken token = LeaseToken.random("node-a");
            long fencingToken = granted(store.acquire(election(test), token, LONG_TTL));
            assertThat(answer(store.release(election(test), token))).isTrue();

            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(
                            () -> assertThat(heard).containsSubsequence("granted node-a " + fencingToken, "released"));
        }
    }

    @Test
    void electionNamesOfEveryAcceptedCharacterGetLeasesOfTheirOwn() {
        List<String> elections = List.of("Jobs", "jobs", "a_b", "a:b", "a-b", "a.b", "x".repeat(200));
        elections.forEach(store::checkElectionName);
        assertThat(elections.stream().map(store::leaseName))
                .doesNotHaveDuplicates()
                .allSatisfy(name -> assertThat(name)
                        .matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")
                        .hasSizeLessThanOrEqualTo(253));
        for (String election : elections) {
            granted(store.acquire(election, LeaseToken.random("node-a"), LONG_TTL));
        }
        assertThatIllegalArgumentException()
                .isThrownBy(() -> store.checkElectionName("x".repeat(250)))
                .withMessageStartingWith("must be at most");
    }

    @Test
    void aPrefixThatCannotStartAnObjectNameIsRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new KubernetesLeaseStore(client, MockApiServer.NAMESPACE, "Leader_"))
                .withMessageContaining("lease prefix 'Leader_'");
    }

    private Lease lease(TestInfo test) {
        return client.leases()
                .inNamespace(MockApiServer.NAMESPACE)
                .withName(store.leaseName(election(test)))
                .get();
    }
}
