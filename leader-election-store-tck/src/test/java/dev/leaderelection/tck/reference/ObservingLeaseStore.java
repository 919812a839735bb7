package dev.leaderelection.tck.reference;

import dev.leaderelection.store.ExpiryEnforcement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client of a store whose observers judge expiry, by client-go's rule: this client remembers the
 * last version of each election's record it saw and when it first saw that version, on its own
 * monotonic clock; the lease the record states runs from then. The record's own timestamps are never
 * trusted, so a client that has just started waits a whole lease, however old the record looks.
 */
final class ObservingLeaseStore extends InMemoryLeaseStore {

    /** A version of the record, and when this client first saw it. */
    private record Observation(long version, long since) {}

    private final Map<String, Observation> observations = new ConcurrentHashMap<>();

    ObservingLeaseStore(SharedLeases shared) {
        super(shared);
        if (shared.expiry() != ExpiryEnforcement.OBSERVERS) {
            throw new IllegalArgumentException("the shared leases must be judged by their observers");
        }
    }

    @Override
    protected Optional<Duration> remaining(String election, LeaseRecord record, long now) {
        Observation seen = observations.compute(
                election,
                (name, last) -> last != null && last.version() == record.version()
                        ? last
                        : new Observation(record.version(), now));
        Duration left = record.lease().minusNanos(now - seen.since());
        return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
    }

    @Override
    protected void wrote(String election, LeaseRecord record, long now) {
        observations.put(election, new Observation(record.version(), now));
    }

    @Override
    public String kind() {
        return "in-memory-observed";
    }
}
