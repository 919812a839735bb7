package dev.leaderelection.tck.reference;

import dev.leaderelection.store.ExpiryEnforcement;
import java.time.Duration;
import java.util.Optional;

/**
 * A client of a store whose server expires leases: what is left is what the server says, from the
 * record's last write on the server's clock.
 */
final class ServerExpiringLeaseStore extends InMemoryLeaseStore {

    ServerExpiringLeaseStore(SharedLeases shared) {
        super(shared);
        if (shared.expiry() != ExpiryEnforcement.SERVER) {
            throw new IllegalArgumentException("the shared leases must expire on the server");
        }
    }

    @Override
    protected Optional<Duration> remaining(String election, LeaseRecord record, long now) {
        // The server has already freed an expired record.
        return Optional.of(record.lease().minusNanos(now - record.writtenAt()));
    }

    @Override
    public String kind() {
        return "in-memory-server";
    }
}
