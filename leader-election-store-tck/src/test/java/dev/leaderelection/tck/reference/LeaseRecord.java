package dev.leaderelection.tck.reference;

import dev.leaderelection.store.LeaseToken;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;

/**
 * An election's shared record, as a Kubernetes Lease or a table row would hold it.
 *
 * @param holder the holder's {@linkplain LeaseToken#encoded() encoded token}, {@code null} once released
 * @param lease the lease duration the holder asked for
 * @param writtenAt {@link System#nanoTime()} of the last write: the server's clock for a store whose
 *     server expires leases, and a number an observer must not trust otherwise
 * @param version changes with every write, as a resource version does
 * @param fencingToken the token of the last grant
 */
record LeaseRecord(@Nullable String holder, Duration lease, long writtenAt, long version, long fencingToken) {

    /** A grant to {@code token}, with a fencing token above the previous one and the clock in microseconds. */
    static LeaseRecord granted(@Nullable LeaseRecord previous, LeaseToken token, Duration lease, long now) {
        long microsNow = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        long floor = Math.max(previous == null ? 0 : previous.fencingToken, microsNow);
        long version = previous == null ? 1 : previous.version + 1;
        return new LeaseRecord(token.encoded(), lease, now, version, floor + 1);
    }

    LeaseRecord renewed(Duration newLease, long now) {
        return new LeaseRecord(holder, newLease, now, version + 1, fencingToken);
    }

    LeaseRecord released(long now) {
        return new LeaseRecord(null, lease, now, version + 1, fencingToken);
    }

    boolean isHeld() {
        return holder != null;
    }

    boolean isHeldBy(LeaseToken token) {
        return token.encoded().equals(holder);
    }
}
