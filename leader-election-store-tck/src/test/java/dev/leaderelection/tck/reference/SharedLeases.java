package dev.leaderelection.tck.reference;

import dev.leaderelection.store.ExpiryEnforcement;
import dev.leaderelection.store.LeaseStore.Subscription;
import dev.leaderelection.store.WakeUps;
import java.time.Duration;
import java.util.HashMap;
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
    private final Map<String, Set<Runnable>> subscribers = new ConcurrentHashMap<>();
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
        lostData = true;
    }

    Subscription subscribe(String election, Runnable onRelease) {
        Set<Runnable> listeners = subscribers.computeIfAbsent(election, name -> ConcurrentHashMap.newKeySet());
        Runnable listener = onRelease::run; // its own identity, even for the same callback twice
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
        subscribers.getOrDefault(election, Set.of()).forEach(Runnable::run);
    }
}
