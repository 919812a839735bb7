package dev.leaderelection.file;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseToken;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock file of one election, shared by every store and elector of this JVM.
 *
 * <p>POSIX record locks belong to the process: closing <em>any</em> channel of the file releases
 * them all, while {@code FileLock.isValid()} still says true. So the JVM opens each lock file once,
 * here, and keeps it open. The OS lock keeps other processes out for as long as this process holds
 * the lease; inside the process, the lease (holder, deadline) lives in this object and expires on
 * the monotonic clock, so an elector that stops renewing loses it to another elector of the same
 * JVM, and the OS lock goes with it to other processes.
 *
 * <p>Every method does file I/O: callers run it on a store's thread, never an elector's.
 */
final class LockFile {

    private static final Logger log = LoggerFactory.getLogger(LockFile.class);

    private static final ConcurrentHashMap<Path, LockFile> FILES = new ConcurrentHashMap<>();

    /** Ends the leases of this JVM whose holders stopped renewing; one daemon thread for the JVM. */
    private static final ScheduledExecutorService EXPIRIES = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "leader-election-file-expiry");
        thread.setDaemon(true);
        return thread;
    });

    /** How long a follower waits when another process holds the lock but the record names no holder yet. */
    static final Duration SETTLING = Duration.ofMillis(20);

    private final Path directory;
    private final Path path;
    private final Path leasePath;

    private @Nullable FileChannel channel;
    private @Nullable Object identity;
    private boolean createdHere; // this JVM created the lock file and no record was written since
    private @Nullable FileLock lock;
    private @Nullable Lease lease;
    private @Nullable String lostHolder; // the holder of a lease lost with the lock file it was on

    private LockFile(Path directory, String election) {
        this.directory = directory;
        this.path = directory.resolve(election + ".lock");
        this.leasePath = directory.resolve(election + ".lease");
    }

    /** The lock file of {@code election} in {@code directory}, the same object for the whole JVM. */
    static LockFile of(Path directory, String election) {
        Path normalized = directory.toAbsolutePath().normalize();
        return FILES.computeIfAbsent(normalized.resolve(election + ".lock"), key -> new LockFile(normalized, election));
    }

    synchronized AcquireResult acquire(LeaseToken token, Duration ttl) throws IOException {
        for (int attempt = 0; ; attempt++) {
            open(true);
            long now = System.nanoTime();
            expireIfDue(now);
            // 1. A lease of this JVM: the same token takes it again, any other is refused.
            Lease current = lease;
            if (current != null) {
                if (current.token().equals(token.encoded())) {
                    return grant(token, ttl, now, readRecord());
                }
                return held(LeaseToken.instanceIdOf(current.token()), current.remaining(now));
            }
            // 2. The OS lock: another process holds it while its lease lives.
            if (lock == null) {
                FileLock taken = tryLock();
                if (taken == null) {
                    return heldByAnotherProcess(token);
                }
                lock = taken;
                // 3. Locked the file that the name still leads to? It may have been replaced meanwhile.
                if (!requireNonNull(identity).equals(StoreDirectory.identity(path))) {
                    close();
                    if (attempt < 2) {
                        continue;
                    }
                    return new AcquireResult.Held(new LeaseHolder(token.instanceId(), SETTLING));
                }
            }
            // 4. Files created anew wait a lease: a holder of their predecessors may still trust its deadline.
            LeaseRecord record = readRecord();
            long nowMicros = StoreDirectory.nowMicros();
            long since = since(record, nowMicros);
            long waitMicros = since + ttl.toNanos() / 1000 - nowMicros;
            if (waitMicros > 0) {
                String key = key();
                if (record == null
                        || record.sinceMicros() != since
                        || !record.lockKey().equals(key)) {
                    LeaseRecord held = record == null ? new LeaseRecord(0, "", 0, since, key, "") : record;
                    new LeaseRecord(held.counter(), "", 0, since, key, held.grantedTo()).write(leasePath, true);
                    createdHere = false;
                }
                unlock();
                String named = record != null && record.held() ? LeaseToken.instanceIdOf(record.holder()) : lostHolder;
                return held(named != null ? named : token.instanceId(), Duration.ofNanos(waitMicros * 1000));
            }
            // 5. Grant: the counter on disk first, floored at the clock.
            return grant(token, ttl, now, record);
        }
    }

    synchronized boolean renew(LeaseToken token, Duration ttl) throws IOException {
        if (!open(false)) {
            return false;
        }
        long now = System.nanoTime();
        expireIfDue(now);
        Lease current = lease;
        FileLock held = lock;
        if (current == null || !current.token().equals(token.encoded()) || held == null || !held.isValid()) {
            return false;
        }
        current.record()
                .withExpiry(StoreDirectory.nowMicros() + ttl.toNanos() / 1000)
                .write(leasePath, false);
        start(new Lease(current.token(), now + ttl.toNanos(), current.record()));
        return true;
    }

    synchronized boolean release(LeaseToken token) throws IOException {
        if (!open(false)) {
            return false;
        }
        expireIfDue(System.nanoTime());
        Lease current = lease;
        if (current == null || !current.token().equals(token.encoded())) {
            return false;
        }
        end(current);
        return true;
    }

    synchronized Optional<LeaseHolder> inspect() throws IOException {
        if (!open(false)) {
            return Optional.empty();
        }
        long now = System.nanoTime();
        expireIfDue(now);
        Lease current = lease;
        if (current != null) {
            return Optional.of(new LeaseHolder(LeaseToken.instanceIdOf(current.token()), current.remaining(now)));
        }
        if (lock != null || isFree()) {
            return Optional.empty();
        }
        LeaseRecord record = readRecord();
        if (record == null || !record.held()) {
            return Optional.empty();
        }
        return Optional.of(new LeaseHolder(LeaseToken.instanceIdOf(record.holder()), remaining(record)));
    }

    /**
     * Whether no process holds the lock: true when a holder named by the record has died, or ended
     * its lease without saying so. Never true while this JVM holds the lease.
     */
    synchronized boolean isFreeOfOtherHolders() throws IOException {
        if (!open(false)) {
            return false;
        }
        expireIfDue(System.nanoTime());
        return lease == null && lock == null && isFree();
    }

    Path leasePath() {
        return leasePath;
    }

    // --- lease

    private AcquireResult grant(LeaseToken token, Duration ttl, long now, @Nullable LeaseRecord record)
            throws IOException {
        long nowMicros = StoreDirectory.nowMicros();
        long counter = record == null ? 0 : record.counter();
        long since = record == null ? 0 : record.sinceMicros();
        long fencingToken = Math.max(counter + 1, nowMicros);
        LeaseRecord granted = new LeaseRecord(
                fencingToken, token.encoded(), nowMicros + ttl.toNanos() / 1000, since, key(), token.instanceId());
        granted.write(leasePath, true);
        createdHere = false;
        lostHolder = null;
        start(new Lease(token.encoded(), now + ttl.toNanos(), granted));
        return new AcquireResult.Granted(fencingToken);
    }

    private void start(Lease next) {
        Lease previous = lease;
        if (previous != null && previous.expiry() != null) {
            previous.expiry().cancel(false);
        }
        long delay = Math.max(0, next.deadline() - System.nanoTime()) + TimeUnit.MILLISECONDS.toNanos(1);
        ScheduledFuture<?> expiry = EXPIRIES.schedule(() -> expire(next.token()), delay, TimeUnit.NANOSECONDS);
        lease = next.withExpiry(expiry);
    }

    private synchronized void expire(String token) {
        Lease current = lease;
        if (current != null && current.token().equals(token)) {
            expireIfDue(System.nanoTime());
        }
    }

    private void expireIfDue(long now) {
        Lease current = lease;
        if (current != null && now - current.deadline() >= 0) {
            log.debug("Lease of {} expired in this JVM", path);
            try {
                end(current);
            } catch (IOException ex) {
                log.warn("Cannot mark the expired lease of {} free: {}", path, ex.toString());
            }
        }
    }

    /** Ends {@code current}: the record says free (waking the followers), then the OS lock goes. */
    private void end(Lease current) throws IOException {
        lease = null;
        if (current.expiry() != null) {
            current.expiry().cancel(false);
        }
        try {
            current.record().free().write(leasePath, false);
        } finally {
            unlock();
        }
    }

    // --- the files

    /**
     * Opens the lock file unless this JVM has it open already, and checks that the name still leads
     * to the file it has open; a replaced file takes this JVM's lease on the old one with it.
     *
     * @return whether the lock file is open (always, or an exception, when {@code create})
     */
    private boolean open(boolean create) throws IOException {
        Object current = StoreDirectory.identity(path);
        if (channel != null && identity != null && identity.equals(current)) {
            return true;
        }
        if (channel != null) {
            log.warn("Lock file {} was deleted or replaced: the lease on it is lost", path);
            close();
        }
        if (current == null && !create) {
            return false;
        }
        if (create) {
            StoreDirectory.ensure(directory);
        }
        FileChannel opened;
        boolean created = false;
        try {
            opened = FileChannel.open(
                    path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
            created = true;
        } catch (FileAlreadyExistsException ex) {
            opened = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException ex) {
            if (create) {
                throw ex;
            }
            return false;
        }
        Object after = StoreDirectory.identity(path);
        if (after == null || (!created && current != null && !current.equals(after))) {
            opened.close(); // replaced while we opened it: nothing of ours was on it
            throw new IOException("Lock file " + path + " was replaced while it was being opened");
        }
        channel = opened;
        identity = after;
        createdHere = created;
        return true;
    }

    /** Closes this JVM's channel: releases the OS lock and forgets the lease held through it. */
    private void close() {
        Lease current = lease;
        if (current != null) {
            lostHolder = LeaseToken.instanceIdOf(current.token());
            if (current.expiry() != null) {
                current.expiry().cancel(false);
            }
        }
        lease = null;
        lock = null;
        FileChannel open = channel;
        channel = null;
        identity = null;
        if (open != null) {
            try {
                open.close();
            } catch (IOException ex) {
                log.debug("Cannot close {}: {}", path, ex.toString());
            }
        }
    }

    private @Nullable FileLock tryLock() throws IOException {
        try {
            return requireNonNull(channel).tryLock();
        } catch (OverlappingFileLockException ex) {
            return null; // another part of this JVM locked the file outside this store
        }
    }

    private boolean isFree() throws IOException {
        FileLock probe = tryLock();
        if (probe == null) {
            return false;
        }
        probe.release();
        return true;
    }

    private void unlock() throws IOException {
        FileLock held = lock;
        lock = null;
        if (held != null && held.isValid()) {
            held.release();
        }
    }

    /**
     * From when grants count a lease later: the store directory's creation; for a lock file without
     * a record that this JVM did not just create (its counter was lost), now; for a record written
     * on another lock file (the lock file was replaced), the new lock file's creation.
     */
    private long since(@Nullable LeaseRecord record, long nowMicros) throws IOException {
        long since;
        if (record == null) {
            since = createdHere ? 0 : nowMicros;
        } else if (!record.lockKey().equals(key())) {
            long lockFileCreated = Files.getLastModifiedTime(path).to(TimeUnit.MICROSECONDS);
            since = Math.max(record.sinceMicros(), Math.min(lockFileCreated, nowMicros));
        } else {
            since = record.sinceMicros();
        }
        return Math.max(since, StoreDirectory.createdMicros(directory));
    }

    private @Nullable LeaseRecord readRecord() throws IOException {
        return LeaseRecord.read(leasePath);
    }

    private AcquireResult heldByAnotherProcess(LeaseToken token) throws IOException {
        LeaseRecord record = readRecord();
        if (record == null || !record.held()) {
            // between another process's lock and its record (or a probe): settles within moments
            return held(lostHolder != null ? lostHolder : token.instanceId(), SETTLING);
        }
        return held(LeaseToken.instanceIdOf(record.holder()), remaining(record));
    }

    /** What the record says is left, or null when it ran out but its process still holds the lock (frozen). */
    private static @Nullable Duration remaining(LeaseRecord record) {
        long left = record.expiresMicros() - StoreDirectory.nowMicros();
        return left > 0 ? Duration.ofNanos(left * 1000) : null;
    }

    private static AcquireResult held(String instanceId, @Nullable Duration remaining) {
        return new AcquireResult.Held(new LeaseHolder(instanceId, remaining));
    }

    private String key() {
        return String.valueOf(identity);
    }

    private static <T> T requireNonNull(@Nullable T value) {
        if (value == null) {
            throw new IllegalStateException("lock file not open");
        }
        return value;
    }

    /** This JVM's lease: the holder's encoded token, its monotonic deadline and the record on disk. */
    private record Lease(
            String token,
            long deadline,
            LeaseRecord record,
            @Nullable ScheduledFuture<?> expiry) {

        Lease(String token, long deadline, LeaseRecord record) {
            this(token, deadline, record, null);
        }

        Lease withExpiry(ScheduledFuture<?> future) {
            return new Lease(token, deadline, record, future);
        }

        Duration remaining(long now) {
            return Duration.ofNanos(Math.max(0, deadline - now));
        }
    }
}
