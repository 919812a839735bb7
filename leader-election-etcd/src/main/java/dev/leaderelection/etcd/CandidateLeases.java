package dev.leaderelection.etcd;

import io.etcd.jetcd.Lease;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The etcd lease of each candidate key, granted long and never kept alive, so that announcing a
 * candidate costs no request of its own: a lease of twice the caller's TTL plus a reuse window
 * ({@link #reuseWindow}: 16 TTLs, at least a minute), bound to the key by the calls made during
 * that window, then replaced by a new grant. A key so stays at least two TTLs after its caller's
 * last call; {@link EtcdLeaseStore#candidates} hides it once two TTLs have passed (the key's value
 * holds its caller's clock and TTL), and etcd deletes it when its lease ends.
 */
final class CandidateLeases {

    private final Lease leases;
    private final Map<String, CandidateLease> byCandidate = new ConcurrentHashMap<>();

    CandidateLeases(Lease leases) {
        this.leases = leases;
    }

    /** How long one candidate lease serves new calls: 16 TTLs, at least a minute. */
    static Duration reuseWindow(Duration ttl) {
        Duration sixteen = ttl.multipliedBy(16);
        return sixteen.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : sixteen;
    }

    /** The lease for the candidate key of this call: one that ends at least two TTLs after the call. */
    CompletableFuture<Long> forCall(String election, String instanceId, Duration ttl) {
        String candidate = key(election, instanceId);
        Duration reuse = reuseWindow(ttl);
        long seconds = EtcdLeaseStore.wholeSeconds(ttl.multipliedBy(2).plus(reuse));
        long now = System.nanoTime();
        CandidateLease current = byCandidate.get(candidate);
        if (current != null && current.seconds() == seconds && now - current.sentAt() < reuse.toNanos()) {
            return CompletableFuture.completedFuture(current.id());
        }
        // Counted from before the grant was sent: the lease ends no sooner than sentAt + seconds.
        return leases.grant(seconds).thenApply(granted -> {
            byCandidate.put(candidate, new CandidateLease(granted.getID(), seconds, now));
            return granted.getID();
        });
    }

    /**
     * Forgets the candidate's lease after a failed call: it may be gone (a new or restored cluster),
     * and a transaction that puts a key on a missing lease fails as a whole. The next call grants.
     */
    void forget(String election, String instanceId) {
        byCandidate.remove(key(election, instanceId));
    }

    private static String key(String election, String instanceId) {
        return election + '\n' + instanceId;
    }

    private record CandidateLease(long id, long seconds, long sentAt) {}
}
