package dev.leaderelection;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a leader gives up leadership of its own accord, so that leadership rotates and no instance
 * holds it for days. When a term is due, the leader steps down with {@link
 * RevocationReason#RELINQUISHED}: it refuses new guarded calls, lets those in flight return (as a
 * yield does), releases the lease and sits out its yield cooldown. If nobody else campaigns, it
 * takes leadership back after the cooldown.
 *
 * <p>{@link #every(Duration)} counts from each grant on the monotonic clock; a calendar schedule
 * (a cron expression, say) answers from the wall-clock time of the grant, which the engine reads
 * from its {@link ElectionScheduler#wallClock()}.
 */
@FunctionalInterface
public interface RelinquishSchedule {

    /** Never relinquishes: a leader leads for as long as it can renew. */
    RelinquishSchedule NEVER = new RelinquishSchedule() {
        @Override
        public Optional<Duration> termLength(Instant grantedAt) {
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "never";
        }
    };

    /**
     * How long a term granted at {@code grantedAt} (wall clock) lasts before the leader relinquishes
     * it, or empty to lead for as long as the lease can be renewed.
     */
    Optional<Duration> termLength(Instant grantedAt);

    /**
     * Relinquishes {@code interval} after each grant.
     *
     * @throws InvalidTimingsException if the interval is not positive
     */
    static Every every(Duration interval) {
        return new Every(interval);
    }

    /**
     * Relinquishes a fixed interval after each grant.
     *
     * @param interval how long each term lasts, measured on the monotonic clock from the grant
     */
    record Every(Duration interval) implements RelinquishSchedule {

        public Every {
            InvalidTimingsException.requirePositive("relinquish.interval", interval);
        }

        @Override
        public Optional<Duration> termLength(Instant grantedAt) {
            return Optional.of(interval);
        }
    }
}
