package dev.leaderelection.etcd;

import io.etcd.jetcd.Lease;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The etcd lease of each candidate key: twice the caller's TTL, so that a candidate stays listed
 * for two TTLs after its last call. One lease per election and instance, refreshed with a single
 * keep-alive alongside every call that writes the key, and replaced by a new one when it may have
 * less than one TTL left (the call then waits for the grant).
 */
final class CandidateLeases {

    private final Lease leases;
    private final Map<String, CandidateLease> byCandidate = new ConcurrentHashMap<>();

    CandidateLeases(Lease leases) {
        this.leases = leases;
    }

    /** The lease for the candidate key of this call: one with at least a TTL left once the call is done. */
    CompletableFuture<Long> forCall(String election, String instanceId, Duration ttl) {
        String candidate = election + '\n' + instanceId;
        long seconds = EtcdLeaseStore.wholeSeconds(ttl.multipliedBy(2));
        long now = System.nanoTime();
        CandidateLease current = byCandidate.get(candidate);
        if (current != null && current.seconds() == seconds && now - current.refreshedAt() < ttl.toNanos()) {
            leases.keepAliveOnce(current.id())
                    .thenAccept(response -> {
                        if (response.getTTL() > 0) {
                            byCandidate.replace(candidate, current, current.refreshed(now));
                        } else {
                            byCandidate.remove(candidate, current);
                        }
                    })
                    .exceptionally(ex -> null);
            return CompletableFuture.completedFuture(current.id());
        }
        return leases.grant(seconds).thenApply(granted -> {
            byCandidate.put(candidate, new CandidateLease(granted.getID(), seconds, now));
            return granted.getID();
        });
    }

    private record CandidateLease(long id, long seconds, long refreshedAt) {
        CandidateLease refreshed(long at) {
            return new CandidateLease(id, seconds, at);
        }
    }
}
