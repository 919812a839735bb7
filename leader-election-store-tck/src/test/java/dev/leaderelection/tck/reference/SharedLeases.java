package dev.leaderelection.tck.reference;

import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.ExpiryEnforcement;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore.Subscription;
import dev.leaderelection.store.WakeUps;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The data every client of an in-memory store shares: the "server". Clients read and write it under
 * its lock. A server that {@linkplain ExpiryEnforcement#SERVER expires leases} frees a record when
 * its time is up and, after losing its data, holds back each election's first grant for one lease,
 * as the Redis store's restart guard does.
 */
final class SharedLeases {

    private final ExpiryEnforcement expiry;
    private final Map<String, LeaseRecord> records = new HashMap<>();
    private final Map<String, Long> holdsUntil = new HashMap<>();
    private final Map<String, Set<LeaseChangeListener>> subscribers = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Seen>> candidates = new HashMap<>();
    private boolean lostData;

    SharedLeases(ExpiryEnforcement expiry) {
        this.expiry = expiry;
    }

    ExpiryEnforcement expiry() {
        return expiry;
    }

    synchronized @Nullable LeaseRecord read(String election, long now) {
        LeaseRecord record = records.get(election);
        if (expiry == ExpiryEnforcement.SERVER
                && record != null
                && record.isHeld()
                && now - record.writtenAt() >= record.lease().toNanos()) {
            record = record.released(now);
            records.put(election, record);
        }
        return record;
    }

    synchronized void write(String election, LeaseRecord record) {
        records.put(election, record);
    }

    /** How much longer grants of a free {@code election} are held back after a loss of data, if at all. */
    synchronized Optional<Duration> holdAfterDataLoss(String election, Duration lease, long now) {
        if (!lostData || expiry != ExpiryEnforcement.SERVER) {
            return Optional.empty();
        }
        long until = holdsUntil.computeIfAbsent(election, name -> now + lease.toNanos());
        return until > now ? Optional.of(Duration.ofNanos(until - now)) : Optional.empty();
    }

    synchronized void wipe() {
        records.clear();
        holdsUntil.clear();
        candidates.clear();
        lostData = true;
    }

    /** A candidate's last call: when, and until when it stays listed ({@link System#nanoTime()}). */
    private record Seen(Instant lastSeen, long listedUntil) {}

    /** Announces {@code instanceId} as a candidate for two {@code ttl}s from {@code now}. */
    synchronized void seen(String election, String instanceId, Duration ttl, long now) {
        candidates
                .computeIfAbsent(election, name -> new HashMap<>())
                .put(
                        instanceId,
                        new Seen(Instant.now(), now + ttl.multipliedBy(2).toNanos()));
    }

    synchronized List<Candidate> candidates(String election, long now) {
        Map<String, Seen> seen = candidates.getOrDefault(election, Map.of());
        seen.values().removeIf(candidate -> candidate.listedUntil() - now <= 0);
        return seen.entrySet().stream()
                .map(entry -> new Candidate(entry.getKey(), entry.getValue().lastSeen()))
                .toList();
    }

    Subscription subscribe(String election, LeaseChangeListener onChange) {
        Set<LeaseChangeListener> listeners =
                subscribers.computeIfAbsent(election, name -> ConcurrentHashMap.newKeySet());
        LeaseChangeListener listener = new LeaseChangeListener() { // its own identity, even for the same callback twice
                    @Override
                    public void released() {
                        onChange.released();
                    }

                    @Override
                    public void granted(String instanceId, long fencingToken) {
                        onChange.granted(instanceId, fencingToken);
                    }
                };
        listeners.add(listener);
        return new Subscription() {
            @Override
            public void close() {
                listeners.remove(listener);
            }

            @Override
            public WakeUps state() {
                return listeners.contains(listener) ? WakeUps.SUBSCRIBED : WakeUps.NONE;
            }
        };
    }

    void released(String election) {
        subscribers.getOrDefault(election, Set.of()).forEach(LeaseChangeListener::released);
    }

    void granted(String election, String instanceId, long fencingToken) {
        subscribers.getOrDefault(election, Set.of()).forEach(listener -> listener.granted(instanceId, fencingToken));
    }
}
