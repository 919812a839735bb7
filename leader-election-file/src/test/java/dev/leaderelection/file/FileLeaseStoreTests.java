package dev.leaderelection.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.tck.LeaseStoreContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on a directory of its own per test, one that existed before the store (as after an
 * earlier run). {@link #newClient()} is a second store in this JVM: it shares the JVM's open lock
 * files and lease table, as every store of one process must; other processes are in
 * {@link FileLeaseStoreProcessTests}.
 */
class FileLeaseStoreTests extends LeaseStoreContract {

    @TempDir
    Path temporary;

    private Path directory;
    private FileLeaseStore store;
    private final List<FileLeaseStore> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void openStore() throws IOException {
        directory = Files.createDirectories(temporary.resolve("elections"));
        store = new FileLeaseStore(directory);
    }

    @AfterEach
    void closeStores() {
        store.close();
        clients.forEach(FileLeaseStore::close);
    }

    @Override
    public LeaseStore store() {
        return store;
    }

    @Override
    public LeaseStore newClient() {
        FileLeaseStore client = new FileLeaseStore(directory);
        clients.add(client);
        return client;
    }

    /** The directory deleted, every election's files with it. */
    @Override
    public void wipeStoreData() {
        try {
            StoreDirectory.deleteRecursively(directory);
        } catch (IOException ex) {
            throw new AssertionError(ex);
        }
    }

    @Test
    void aDirectoryTheStoreHadToCreateHoldsBackGrantsForOneLease(TestInfo test) throws IOException {
        try (FileLeaseStore fresh = new FileLeaseStore(temporary.resolve("new"))) {
            Duration lease = Duration.ofMillis(600);
            long firstAsk = System.nanoTime();
            AcquireResult first = answer(fresh.acquire("e", LeaseToken.random("node-a"), lease));

            assertThat(first)
                    .isInstanceOfSatisfying(
                            AcquireResult.Held.class,
                            held -> assertThat(held.holder().remaining())
                                    .isNotNull()
                                    .isLessThanOrEqualTo(lease));
            assertThat(Files.exists(temporary.resolve("new").resolve(StoreDirectory.MARKER)))
                    .isTrue();
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> answer(fresh.acquire("e", LeaseToken.random("node-a"), lease))
                            instanceof AcquireResult.Granted);
            assertThat(Duration.ofNanos(System.nanoTime() - firstAsk)).isGreaterThanOrEqualTo(lease);
        }
    }

    @Test
    void aLockFileReplacedUnderItsHolderEndsTheLeaseAndHoldsBackTheNextGrant(TestInfo test) throws IOException {
        String election = election(test);
        LeaseToken holder = LeaseToken.random("node-a");
        Duration lease = Duration.ofMillis(600);
        long first = granted(store.acquire(election, holder, lease));

        Files.delete(directory.resolve(election + ".lock"));
        Files.createFile(directory.resolve(election + ".lock"));

        assertThat(answer(store.renew(election, holder, lease))).isFalse();
        AcquireResult refused = answer(store.acquire(election, LeaseToken.random("node-b"), lease));
        assertThat(refused).isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
            assertThat(held.holder().instanceId()).isEqualTo("node-a");
            assertThat(held.holder().remaining()).isNotNull().isLessThanOrEqualTo(lease);
        });
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> answer(store.acquire(election, LeaseToken.random("node-b"), lease))
                                instanceof AcquireResult.Granted granted
                        && granted.fencingToken() > first);
    }

    @Test
    void candidatesAreTheCallersOfTheLastTwoLeases(TestInfo test) {
        String election = election(test);
        LeaseToken holder = LeaseToken.random("node-a");
        granted(store.acquire(election, holder, LONG_TTL));
        answer(newClient().acquire(election, LeaseToken.random("node/b"), Duration.ofMillis(200)));

        assertThat(answer(store.candidates(election)))
                .extracting(Candidate::instanceId)
                .containsExactlyInAnyOrder("node-a", "node/b");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> answer(store.candidates(election)).stream()
                        .map(Candidate::instanceId)
                        .toList()
                        .equals(List.of("node-a")));
    }

    @Test
    void grantsAreAnnouncedToSubscribers(TestInfo test) {
        String election = election(test);
        BlockingQueue<String> grants = new LinkedBlockingQueue<>();
        LeaseChangeListener listener = new LeaseChangeListener() {
            @Override
            public void released() {}

            @Override
            public void granted(String instanceId, long fencingToken) {
                grants.add(instanceId + "@" + fencingToken);
            }
        };
        try (LeaseStore.Subscription subscription = store.subscribe(election, listener)) {
            // The watch may take a moment to start: grant until one grant is heard.
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        LeaseToken token = LeaseToken.random("node-a");
                        String grant = "node-a@" + granted(newClient().acquire(election, token, LONG_TTL));
                        boolean heard = false;
                        for (String next = grants.poll(300, TimeUnit.MILLISECONDS);
                                next != null && !heard;
                                next = grants.poll(300, TimeUnit.MILLISECONDS)) {
                            heard = next.equals(grant);
                        }
                        assertThat(answer(store.release(election, token))).isTrue();
                        return heard;
                    });
        }
    }

    @Test
    void namesThatAreNoPlainFileNamesAreRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> store.checkElectionName("../escape"))
                .withMessageContaining("letters, digits");
        assertThatIllegalArgumentException().isThrownBy(() -> store.checkElectionName(".hidden"));
        store.checkElectionName("orders.eu-1:v2_b");
    }
}
