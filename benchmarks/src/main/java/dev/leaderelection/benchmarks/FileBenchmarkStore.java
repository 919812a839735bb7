package dev.leaderelection.benchmarks;

import dev.leaderelection.ElectionScheduler;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.file.FileLeaseStore;
import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.ExpiryEnforcement;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.testing.file.FileStoreServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The file store for the benchmarks: no server, a directory of its own ({@link FileStoreServer});
 * the {@link ElectorApp} children get its path as their connection, and each runs a {@link
 * FileLeaseStore} on it.
 *
 * <p>There is no server to count requests, so the harness counts the store calls (acquire, renew,
 * release, inspect, candidates) of the electors it runs in this JVM, the idle followers of the
 * store-load benchmark: requests/s per idle follower are store calls per second. Those electors
 * share one {@link FileLeaseStore} (one I/O thread, one directory watch), as the electors of one
 * application do; a lock file has one channel per JVM anyway. The lease's end is not read: a crash
 * releases the OS lock at once, whatever the lease has left (the "past the lease's end" column is
 * n/a), and nobody listens on a server for releases.
 */
final class FileBenchmarkStore implements BenchmarkStore {

    private final FileStoreServer server;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong snapshots = new AtomicLong();
    private @Nullable FileLeaseStore shared;

    /** Runs on {@code server}'s directory; closes (deletes) it on {@link #close()}. */
    FileBenchmarkStore(FileStoreServer server) {
        this.server = server;
    }

    @Override
    public String name() {
        return "file";
    }

    @Override
    public String displayName() {
        return "File";
    }

    @Override
    public String server() {
        return "no server: OS file locks (" + System.getProperty("os.name") + " " + System.getProperty("os.version")
                + ")";
    }

    @Override
    public String connection() {
        return server.directory().toString();
    }

    @Override
    public synchronized Elector elector(
            String election, String instanceId, ElectionTimings timings, ElectionScheduler scheduler, boolean share) {
        if (!share) {
            return elector(connection(), election, instanceId, timings, scheduler);
        }
        if (shared == null) {
            shared = new FileLeaseStore(server.directory());
            shared.start();
        }
        LeaseStore counted = new CountingStore(shared, calls);
        return new Elector(new LeaseLeaderElector(election, instanceId, counted, timings, scheduler), () -> {});
    }

    /** An elector with a {@link FileLeaseStore} of its own on {@code directory}, as an application has. */
    static Elector elector(
            String directory,
            String election,
            String instanceId,
            ElectionTimings timings,
            ElectionScheduler scheduler) {
        FileLeaseStore store = new FileLeaseStore(Path.of(directory));
        store.start();
        LeaseLeaderElector elector = new LeaseLeaderElector(election, instanceId, store, timings, scheduler);
        return new Elector(elector, () -> {
            store.stop();
            store.close();
        });
    }

    /**
     * The store calls of this JVM's shared electors. The harness subtracts one command per window
     * for the {@code INFO} call that reads a Redis server; each snapshot adds it here, so that
     * commands and requests both come out as store calls.
     */
    @Override
    public Optional<Counter> counter() {
        return Optional.of(() -> {
            long counted = calls.get();
            return new RedisStats.Snapshot(
                    System.nanoTime(), counted + snapshots.incrementAndGet(), counted, 0, "no server");
        });
    }

    @Override
    public OptionalLong remainingLeaseMillis(String election) {
        return OptionalLong.empty();
    }

    @Override
    public OptionalLong releaseListeners(String election) {
        return OptionalLong.empty();
    }

    @Override
    public synchronized void close() {
        if (shared != null) {
            shared.stop();
            shared.close();
            shared = null;
        }
        server.close();
    }

    /** A store that counts the calls it passes on to the shared one; closing it leaves that one open. */
    private record CountingStore(LeaseStore store, AtomicLong calls) implements LeaseStore {

        @Override
        public CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl) {
            calls.incrementAndGet();
            return store.acquire(election, token, ttl);
        }

        @Override
        public CompletionStage<Boolean> renew(String election, LeaseToken token, Duration ttl) {
            calls.incrementAndGet();
            return store.renew(election, token, ttl);
        }

        @Override
        public CompletionStage<Boolean> release(String election, LeaseToken token) {
            calls.incrementAndGet();
            return store.release(election, token);
        }

        @Override
        public CompletionStage<Optional<LeaseHolder>> inspect(String election) {
            calls.incrementAndGet();
            return store.inspect(election);
        }

        @Override
        public Subscription subscribe(String election, LeaseChangeListener listener) {
            return store.subscribe(election, listener);
        }

        @Override
        public CompletionStage<List<Candidate>> candidates(String election) {
            calls.incrementAndGet();
            return store.candidates(election);
        }

        @Override
        public ExpiryEnforcement expiry() {
            return store.expiry();
        }

        @Override
        public String kind() {
            return store.kind();
        }

        @Override
        public void checkElectionName(String election) {
            store.checkElectionName(election);
        }
    }
}
