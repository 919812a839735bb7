package dev.leaderelection.file;

import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.WakeUps;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the subscribers of a store's elections, on a thread of the store's own: a {@link
 * WatchService} on the directory reports each rewrite of a lease file (a grant, a release, an
 * expiry), and a short poll finds holders that died (their OS lock is gone, their record stays),
 * and stands in for the watch service on file systems without one.
 */
final class FileWakeUps implements AutoCloseable {

    /** How often the liveness of named holders is checked, and lease files read where there are no events. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    private static final Logger log = LoggerFactory.getLogger(FileWakeUps.class);

    private final Path directory;
    private final String threadName;
    private final Map<String, List<Registration>> subscribers = new ConcurrentHashMap<>();

    // confined to the watch thread
    private final Map<String, Seen> seen = new HashMap<>();
    private @Nullable WatchService watchService;
    private @Nullable WatchKey key;
    private boolean polling; // no watch service here: poll the lease files too

    private volatile boolean linked;
    private volatile boolean closed;
    private @Nullable Thread thread;

    FileWakeUps(Path directory, String threadName) {
        this.directory = directory;
        this.threadName = threadName;
    }

    LeaseStore.Subscription subscribe(String election, LeaseChangeListener listener) {
        Registration registration = new Registration(election, listener);
        subscribers
                .computeIfAbsent(election, name -> new CopyOnWriteArrayList<>())
                .add(registration);
        startThread();
        return registration;
    }

    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            closed = true;
            running = thread;
        }
        if (running != null) {
            running.interrupt();
        }
    }

    private synchronized void startThread() {
        if (thread == null && !closed) {
            Thread started = new Thread(this::run, threadName);
            started.setDaemon(true);
            thread = started;
            started.start();
        }
    }

    private void run() {
        long lastPoll = System.nanoTime();
        try {
            while (!closed) {
                try {
                    if (!polling && (key == null || !key.isValid())) {
                        link();
                    }
                    Set<String> changed = polling ? Set.of() : awaitChanges();
                    if (polling) {
                        Thread.sleep(POLL_INTERVAL.toMillis());
                    }
                    boolean pollDue = System.nanoTime() - lastPoll >= POLL_INTERVAL.toNanos();
                    if (pollDue) {
                        lastPoll = System.nanoTime();
                    }
                    for (String election : subscribers.keySet()) {
                        if (polling || pollDue || changed.contains(election)) {
                            check(election, pollDue);
                        }
                    }
                } catch (IOException | RuntimeException ex) {
                    if (linked) {
                        log.debug("File wake-ups in {} lost, retrying: {}", directory, ex.toString());
                    }
                    linked = false;
                    key = null;
                    Thread.sleep(POLL_INTERVAL.toMillis());
                }
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        } finally {
            linked = false;
            closeWatchService();
        }
    }

    private void link() throws IOException {
        StoreDirectory.ensure(directory);
        try {
            if (watchService == null) {
                watchService = directory.getFileSystem().newWatchService();
            }
            key = directory.register(
                    watchService,
                    StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (UnsupportedOperationException ex) {
            log.info("No file events in {}: polling every {} ms", directory, POLL_INTERVAL.toMillis());
            polling = true;
        }
        linked = true;
    }

    /** Waits up to a poll interval for events; returns the elections whose lease files changed. */
    private Set<String> awaitChanges() throws InterruptedException {
        WatchService service = watchService;
        if (service == null) {
            return Set.of();
        }
        Set<String> changed = new HashSet<>();
        try {
            WatchKey signalled = service.poll(POLL_INTERVAL.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            while (signalled != null) {
                for (WatchEvent<?> event : signalled.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        changed.addAll(subscribers.keySet());
                    } else if (event.context() instanceof Path file) {
                        String name = file.toString();
                        if (name.endsWith(".lease") && !name.startsWith(".")) {
                            changed.add(name.substring(0, name.length() - ".lease".length()));
                        }
                    }
                }
                if (!signalled.reset()) {
                    key = null; // the directory is gone: link again
                }
                signalled = service.poll();
            }
        } catch (ClosedWatchServiceException ex) {
            key = null;
        }
        return changed;
    }

    /**
     * Reads the election's record and tells its subscribers what changed since the last look: a new
     * holder or term (granted), a free record after a held one or a later term (released), and on
     * {@code probe} a named holder whose OS lock is gone (released).
     */
    private void check(String election, boolean probe) throws IOException {
        List<Registration> registrations = subscribers.get(election);
        if (registrations == null || registrations.isEmpty()) {
            seen.remove(election);
            return;
        }
        LockFile lockFile = LockFile.of(directory, election);
        LeaseRecord record = LeaseRecord.read(lockFile.leasePath());
        Seen previous = seen.get(election);
        if (record == null) {
            return;
        }
        boolean newTerm = previous == null || previous.counter() != record.counter();
        boolean changed = newTerm || !previous.holder().equals(record.holder());
        Seen now = changed ? new Seen(record.holder(), record.counter(), false) : previous;
        if (previous != null && newTerm && !record.grantedTo().isEmpty()) {
            // announced even when the term has ended by now: the grant happened
            registrations.forEach(each -> each.granted(record.grantedTo(), record.counter()));
        }
        if (previous != null && changed && !record.held()) {
            registrations.forEach(Registration::released);
        }
        if (probe && record.held() && !now.deadReported() && lockFile.isFreeOfOtherHolders()) {
            log.debug("Holder of {} is gone: its lock is free", election);
            now = new Seen(now.holder(), now.counter(), true);
            registrations.forEach(Registration::released);
        }
        seen.put(election, now);
    }

    private void closeWatchService() {
        WatchService service = watchService;
        watchService = null;
        if (service != null) {
            try {
                service.close();
            } catch (IOException ex) {
                log.debug("Cannot close the watch service of {}: {}", directory, ex.toString());
            }
        }
    }

    private record Seen(String holder, long counter, boolean deadReported) {}

    private final class Registration implements LeaseStore.Subscription {

        private final String election;
        private final LeaseChangeListener listener;
        private volatile boolean cancelled;

        Registration(String election, LeaseChangeListener listener) {
            this.election = election;
            this.listener = listener;
        }

        void released() {
            if (!cancelled) {
                try {
                    listener.released();
                } catch (Throwable ex) {
                    log.warn("Release listener of {} failed", election, ex);
                }
            }
        }

        void granted(String instanceId, long fencingToken) {
            if (!cancelled) {
                try {
                    listener.granted(instanceId, fencingToken);
                } catch (Throwable ex) {
                    log.warn("Grant listener of {} failed", election, ex);
                }
            }
        }

        @Override
        public void close() {
            cancelled = true;
            List<Registration> registrations = subscribers.get(election);
            if (registrations != null) {
                registrations.remove(this);
            }
        }

        @Override
        public WakeUps state() {
            if (cancelled || closed) {
                return WakeUps.NONE;
            }
            return linked ? WakeUps.SUBSCRIBED : WakeUps.RETRYING;
        }
    }
}
