package dev.leaderelection.file;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LeaseStore} in a directory of the local machine, for development and single-host
 * deployments with no server at all. The processes that share the directory elect one leader.
 *
 * <p>Files of election {@code e}: {@code e.lock}, which the leader process holds an OS lock on
 * ({@link java.nio.channels.FileChannel#tryLock()}) for as long as it holds the lease;
 * {@code e.lease}, the last fencing token (floored at the clock in microseconds, forced to disk
 * before a grant counts), the holder and its lease's end; {@code .candidates/e/}, a file per
 * instance that campaigned lately.
 *
 * <p>The OS lock ends when the process dies, so another process takes over a crashed leader's lease
 * without waiting for it to run out. Inside one JVM every store shares one open channel per lock
 * file and one lease table, which expires the lease of an elector that stops renewing. A lock or
 * lease file created anew (deleted, or its directory deleted, while a leader held it) holds back
 * grants for one lease, as a store that lost its data does: a leader of the old file may still
 * trust its deadline. All file I/O runs on a thread of the store's own.
 *
 * <p>One machine only: network file systems and volumes shared between hosts do not give every
 * host the same view of these locks and files.
 */
public final class FileLeaseStore implements LeaseStore {

    private static final Logger log = LoggerFactory.getLogger(FileLeaseStore.class);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_:-][A-Za-z0-9._:-]{0,199}");
    private static final AtomicInteger STORES = new AtomicInteger();

    private final Path directory;
    private final ExecutorService io;
    private final FileWakeUps wakeUps;
    private final CandidateFiles candidates;

    /** A store in {@code directory}, which it creates when it needs it. */
    public FileLeaseStore(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
        int number = STORES.incrementAndGet();
        this.io = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "leader-election-file-" + number);
            thread.setDaemon(true);
            return thread;
        });
        this.wakeUps = new FileWakeUps(this.directory, "leader-election-file-watch-" + number);
        this.candidates = new CandidateFiles(this.directory);
    }

    /** The directory that holds the elections' files. */
    public Path directory() {
        return directory;
    }

    @Override
    public CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl) {
        return call(election, () -> {
            AcquireResult result = lockFile(election).acquire(token, ttl);
            announce(election, token, ttl);
            return result;
        });
    }

    @Override
    public CompletionStage<Boolean> renew(String election, LeaseToken token, Duration ttl) {
        return call(election, () -> {
            boolean renewed = lockFile(election).renew(token, ttl);
            announce(election, token, ttl);
            return renewed;
        });
    }

    @Override
    public CompletionStage<Boolean> release(String election, LeaseToken token) {
        return call(election, () -> lockFile(election).release(token));
    }

    @Override
    public CompletionStage<Optional<LeaseHolder>> inspect(String election) {
        return call(election, () -> lockFile(election).inspect());
    }

    @Override
    public Subscription subscribe(String election, LeaseChangeListener listener) {
        checkElectionName(election);
        return wakeUps.subscribe(election, listener);
    }

    @Override
    public CompletionStage<List<Candidate>> candidates(String election) {
        return call(election, () -> candidates.list(election));
    }

    @Override
    public String kind() {
        return "file";
    }

    @Override
    public void checkElectionName(String election) {
        if (!NAME.matcher(election).matches()) {
            throw new IllegalArgumentException("must be 1 to 200 letters, digits, '.', '_', ':' and '-', "
                    + "not starting with '.', to name files of the file store");
        }
    }

    @Override
    public void close() {
        wakeUps.close();
        io.shutdownNow();
    }

    private LockFile lockFile(String election) {
        return LockFile.of(directory, election);
    }

    /** The candidate announcement: best effort, a failure costs only the listing. */
    private void announce(String election, LeaseToken token, Duration ttl) {
        try {
            candidates.touch(election, token.instanceId(), ttl);
        } catch (IOException ex) {
            log.debug("Cannot announce candidate {} of {}: {}", token.instanceId(), election, ex.toString());
        }
    }

    private <T> CompletionStage<T> call(String election, IoCall<T> call) {
        try {
            checkElectionName(election);
            return CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return call.run();
                        } catch (IOException ex) {
                            throw new java.io.UncheckedIOException(ex);
                        }
                    },
                    io);
        } catch (IllegalArgumentException | RejectedExecutionException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    @FunctionalInterface
    private interface IoCall<T> {
        T run() throws IOException;
    }
}
