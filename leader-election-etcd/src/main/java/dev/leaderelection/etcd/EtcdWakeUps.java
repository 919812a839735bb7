package dev.leaderelection.etcd;

import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore.Subscription;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.store.WakeUps;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch per store on the whole key prefix, shared by every election: a delete of an election's
 * term key (a release, an expiry, a revoke) wakes that election's listeners with {@code released()};
 * a put of its leader key announces the grant with {@code granted(instanceId, fencingToken)}.
 *
 * <p>The watch requires a leader ({@code require_leader}): a member cut off from its quorum ends
 * it, and so does any error; it is opened again with back-off until it works. Events between a loss
 * and the new watch are not replayed: wake-ups are best effort, followers fall back to lease expiry.
 */
final class EtcdWakeUps {

    static final Duration FIRST_RETRY = Duration.ofMillis(100);
    static final Duration MAX_RETRY = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(EtcdWakeUps.class);
    private static final AtomicInteger STORES = new AtomicInteger();

    private final Client client;
    private final String keyPrefix;
    private final Map<String, Set<LeaseChangeListener>> listeners = new ConcurrentHashMap<>();
    /** Deletes of each election's term key the watch has seen (releases, expiries, revokes). */
    private final Map<String, AtomicLong> termDeletes = new ConcurrentHashMap<>();
    /** The base of each election's fencing tokens, as the record key last showed it. */
    private final Map<String, Long> bases = new ConcurrentHashMap<>();

    private final ScheduledExecutorService background;

    private Watch.@Nullable Watcher watcher; // guarded by this
    private volatile boolean subscribed;
    private boolean wanted; // guarded by this
    private boolean closed; // guarded by this
    private Duration nextRetry = FIRST_RETRY; // guarded by this
    private long generation; // guarded by this
    private boolean warned; // guarded by this

    EtcdWakeUps(Client client, String keyPrefix) {
        this.client = client;
        this.keyPrefix = keyPrefix;
        this.background = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "leader-election-etcd-watch-" + STORES.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    Subscription subscribe(String election, LeaseChangeListener listener) {
        listeners.computeIfAbsent(election, name -> new CopyOnWriteArraySet<>()).add(listener);
        start();
        return new Subscription() {
            private volatile boolean open = true;

            @Override
            public void close() {
                open = false;
                Set<LeaseChangeListener> ofElection = listeners.get(election);
                if (ofElection != null) {
                    ofElection.remove(listener);
                }
            }

            @Override
            public WakeUps state() {
                if (!open) {
                    return WakeUps.NONE;
                }
                return subscribed ? WakeUps.SUBSCRIBED : WakeUps.RETRYING;
            }
        };
    }

    /**
     * Where the watch stands for {@code election}, or {@code null} while it is not up: two equal
     * marks mean the watch stayed up in between and saw no delete of the election's term key, so
     * an election held at the first mark is held still (as far as etcd has told this store).
     */
    synchronized @Nullable Mark mark(String election) {
        if (!subscribed) {
            return null;
        }
        return new Mark(
                generation,
                termDeletes.computeIfAbsent(election, name -> new AtomicLong()).get());
    }

    /** See {@link #mark}. */
    record Mark(long watch, long termDeletes) {}

    synchronized void start() {
        if (closed || wanted) {
            return;
        }
        wanted = true;
        open();
    }

    synchronized void stop() {
        wanted = false;
        generation++;
        closeWatcher();
    }

    synchronized void close() {
        stop();
        closed = true;
        background.shutdownNow();
    }

    private synchronized void open() {
        if (!wanted || closed) {
            return;
        }
        closeWatcher();
        long current = ++generation;
        ByteSequence prefix = EtcdKeys.bytes(keyPrefix);
        WatchOption options = WatchOption.builder()
                .isPrefix(true)
                .withCreateNotify(true)
                .withRequireLeader(true)
                .withNoPut(false)
                .build();
        try {
            watcher = client.getWatchClient()
                    .watch(
                            prefix,
                            options,
                            Watch.listener(
                                    response -> onResponse(current, response),
                                    error -> onError(current, error),
                                    () -> onError(current, new IllegalStateException("etcd ended the watch"))));
        } catch (RuntimeException ex) {
            onError(current, ex);
        }
    }

    private void onResponse(long watchGeneration, WatchResponse response) {
        synchronized (this) {
            if (watchGeneration != generation) {
                return;
            }
            if (!subscribed) {
                subscribed = true;
                nextRetry = FIRST_RETRY;
                if (warned) {
                    warned = false;
                    log.info("The etcd watch that wakes followers is up again");
                }
            }
        }
        List<WatchEvent> events = response.getEvents();
        // The record comes first: a grant in the same revision counts from it.
        for (WatchEvent event : events) {
            EtcdKeys.Parsed key = EtcdKeys.parse(keyPrefix, event.getKeyValue().getKey());
            if (key != null && key.role().equals(EtcdKeys.RECORD)) {
                if (event.getEventType() == WatchEvent.EventType.PUT) {
                    parseLong(event.getKeyValue()).ifPresent(base -> bases.put(key.election(), base));
                } else {
                    bases.remove(key.election());
                }
            }
        }
        for (WatchEvent event : events) {
            EtcdKeys.Parsed key = EtcdKeys.parse(keyPrefix, event.getKeyValue().getKey());
            if (key == null) {
                continue;
            }
            if (key.role().equals(EtcdKeys.TERM) && event.getEventType() == WatchEvent.EventType.DELETE) {
                // counted before anyone is woken: a wake-up's acquire sees the new mark
                termDeletes
                        .computeIfAbsent(key.election(), name -> new AtomicLong())
                        .incrementAndGet();
            }
            Set<LeaseChangeListener> ofElection = listeners.get(key.election());
            if (ofElection == null || ofElection.isEmpty()) {
                continue;
            }
            if (key.role().equals(EtcdKeys.TERM) && event.getEventType() == WatchEvent.EventType.DELETE) {
                ofElection.forEach(EtcdWakeUps::released);
            } else if (key.role().equals(EtcdKeys.LEADER)
                    && event.getEventType() == WatchEvent.EventType.PUT
                    && event.getKeyValue().getVersion() == 1) {
                // created: a grant to a new holder (a holder's re-grant or new lease rewrites the key)
                announceGrant(key.election(), event.getKeyValue(), ofElection);
            }
        }
    }

    private void announceGrant(String election, KeyValue leader, Set<LeaseChangeListener> ofElection) {
        String instanceId = LeaseToken.instanceIdOf(leader.getValue().toString(StandardCharsets.UTF_8));
        long revision = leader.getModRevision();
        Long base = bases.get(election);
        if (base != null) {
            ofElection.forEach(listener -> granted(listener, instanceId, base + revision));
            return;
        }
        client.getKVClient()
                .get(EtcdKeys.of(keyPrefix, election).record(), GetOption.DEFAULT)
                .thenAccept(record -> record.getKvs().stream()
                        .findFirst()
                        .flatMap(EtcdWakeUps::parseLong)
                        .ifPresent(read -> {
                            bases.putIfAbsent(election, read);
                            ofElection.forEach(listener -> granted(listener, instanceId, read + revision));
                        }))
                .exceptionally(ex -> null); // best effort
    }

    private void onError(long watchGeneration, Throwable error) {
        synchronized (this) {
            if (watchGeneration != generation || !wanted || closed) {
                return;
            }
            subscribed = false;
            if (!warned) {
                warned = true;
                log.info(
                        "The etcd watch that wakes followers is down ({}); followers wait for lease expiry until it is up again",
                        String.valueOf(error.getMessage()));
            }
            Duration delay = nextRetry;
            Duration doubled = nextRetry.multipliedBy(2);
            nextRetry = doubled.compareTo(MAX_RETRY) < 0 ? doubled : MAX_RETRY;
            generation++;
            closeWatcher();
            try {
                background.schedule(this::open, delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException ex) {
                // closed meanwhile
            }
        }
    }

    private void closeWatcher() {
        subscribed = false;
        Watch.Watcher current = watcher;
        watcher = null;
        if (current != null) {
            try {
                current.close();
            } catch (RuntimeException ex) {
                log.debug("Closing the etcd watch failed", ex);
            }
        }
    }

    private static void released(LeaseChangeListener listener) {
        try {
            listener.released();
        } catch (RuntimeException ex) {
            log.warn("A release listener failed", ex);
        }
    }

    private static void granted(LeaseChangeListener listener, String instanceId, long fencingToken) {
        try {
            listener.granted(instanceId, fencingToken);
        } catch (RuntimeException ex) {
            log.warn("A grant listener failed", ex);
        }
    }

    private static java.util.Optional<Long> parseLong(KeyValue entry) {
        try {
            return java.util.Optional.of(Long.parseLong(entry.getValue().toString(StandardCharsets.UTF_8)));
        } catch (NumberFormatException ex) {
            return java.util.Optional.empty();
        }
    }
}
