package dev.leaderelection;

import static dev.leaderelection.InvalidTimingsException.format;
import static dev.leaderelection.InvalidTimingsException.requirePositive;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The timings of an election, checked together when they are built.
 *
 * @param leaseDuration how long a lease lives in the store without renewal
 * @param renewInterval how often the leader renews
 * @param operationTimeout the longest one store call may take before it counts as failed
 * @param driftMargin subtracted from the local deadline to cover clock-rate differences and
 *     scheduling delay
 * @param retryInterval the wait between checks when a follower has nothing better to go on
 * @param yieldCooldown how long an instance that yielded stays out of the race
 * @param backoff the waits after store errors
 * @param relinquish when a leader gives up leadership of its own accord; {@link
 *     RelinquishSchedule#NEVER} unless set
 */
public record ElectionTimings(
        Duration leaseDuration,
        Duration renewInterval,
        Duration operationTimeout,
        Duration driftMargin,
        Duration retryInterval,
        Duration yieldCooldown,
        BackoffPolicy backoff,
        RelinquishSchedule relinquish) {

    /** The smallest drift margin: a deadline needs some room for the timer that enforces it. */
    public static final Duration MIN_DRIFT_MARGIN = Duration.ofMillis(1);

    public ElectionTimings {
        requirePositive("leaseDuration", leaseDuration);
        requirePositive("renewInterval", renewInterval);
        requirePositive("operationTimeout", operationTimeout);
        requirePositive("retryInterval", retryInterval);
        requirePositive("yieldCooldown", yieldCooldown);
        if (driftMargin.compareTo(MIN_DRIFT_MARGIN) < 0) {
            throw new InvalidTimingsException(
                    "driftMargin (" + format(driftMargin) + ") must be at least " + format(MIN_DRIFT_MARGIN)
                            + ", to cover the scheduling delay between the deadline and the step-down",
                    "driftMargin");
        }
        if (relinquish instanceof RelinquishSchedule.Every every
                && every.interval().compareTo(renewInterval.multipliedBy(3)) < 0) {
            throw new InvalidTimingsException(
                    "relinquish.interval (%s) must be at least 3 x renewInterval (%s) = %s, so that a term renews a few times before it is given up"
                            .formatted(
                                    format(every.interval()),
                                    format(renewInterval),
                                    format(renewInterval.multipliedBy(3))),
                    "relinquish.interval",
                    "renewInterval");
        }
        Duration needed = renewInterval.plus(operationTimeout).plus(driftMargin);
        if (leaseDuration.compareTo(needed) <= 0) {
            throw new InvalidTimingsException(
                    "leaseDuration (%s) must be greater than renewInterval (%s) + operationTimeout (%s) + driftMargin (%s) = %s, so that a renewal can finish before the lease ends"
                            .formatted(
                                    format(leaseDuration),
                                    format(renewInterval),
                                    format(operationTimeout),
                                    format(driftMargin),
                                    format(needed)),
                    "leaseDuration",
                    "renewInterval",
                    "operationTimeout",
                    "driftMargin");
        }
    }

    /** Timings that never relinquish. */
    public ElectionTimings(
            Duration leaseDuration,
            Duration renewInterval,
            Duration operationTimeout,
            Duration driftMargin,
            Duration retryInterval,
            Duration yieldCooldown,
            BackoffPolicy backoff) {
        this(
                leaseDuration,
                renewInterval,
                operationTimeout,
                driftMargin,
                retryInterval,
                yieldCooldown,
                backoff,
                RelinquishSchedule.NEVER);
    }

    /** A copy that relinquishes on {@code schedule}. */
    public ElectionTimings withRelinquish(RelinquishSchedule schedule) {
        return new ElectionTimings(
                leaseDuration,
                renewInterval,
                operationTimeout,
                driftMargin,
                retryInterval,
                yieldCooldown,
                backoff,
                schedule);
    }

    /** The default drift margin for a lease: 1% of it plus 5 ms. */
    public static Duration defaultDriftMargin(Duration leaseDuration) {
        return leaseDuration.dividedBy(100).plusMillis(5);
    }

    /** A builder starting from the defaults: lease 10 s, renew 3 s, operation timeout 1 s. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link ElectionTimings}; unset drift margin and yield cooldown follow the lease. */
    public static final class Builder {
        private Duration leaseDuration = Duration.ofSeconds(10);
        private Duration renewInterval = Duration.ofSeconds(3);
        private Duration operationTimeout = Duration.ofSeconds(1);
        private @Nullable Duration driftMargin;
        private Duration retryInterval = Duration.ofSeconds(1);
        private @Nullable Duration yieldCooldown;
        private BackoffPolicy backoff = BackoffPolicy.DEFAULT;
        private RelinquishSchedule relinquish = RelinquishSchedule.NEVER;

        private Builder() {}

        public Builder leaseDuration(Duration leaseDuration) {
            this.leaseDuration = leaseDuration;
            return this;
        }

        public Builder renewInterval(Duration renewInterval) {
            this.renewInterval = renewInterval;
            return this;
        }

        public Builder operationTimeout(Duration operationTimeout) {
            this.operationTimeout = operationTimeout;
            return this;
        }

        /** Defaults to {@link #defaultDriftMargin(Duration)} of the lease. */
        public Builder driftMargin(@Nullable Duration driftMargin) {
            this.driftMargin = driftMargin;
            return this;
        }

        public Builder retryInterval(Duration retryInterval) {
            this.retryInterval = retryInterval;
            return this;
        }

        /** Defaults to the lease duration. */
        public Builder yieldCooldown(@Nullable Duration yieldCooldown) {
            this.yieldCooldown = yieldCooldown;
            return this;
        }

        public Builder backoff(BackoffPolicy backoff) {
            this.backoff = backoff;
            return this;
        }

        /** Defaults to {@link RelinquishSchedule#NEVER}. */
        public Builder relinquish(RelinquishSchedule relinquish) {
            this.relinquish = relinquish;
            return this;
        }

        public ElectionTimings build() {
            return new ElectionTimings(
                    leaseDuration,
                    renewInterval,
                    operationTimeout,
                    driftMargin != null ? driftMargin : defaultDriftMargin(leaseDuration),
                    retryInterval,
                    yieldCooldown != null ? yieldCooldown : leaseDuration,
                    backoff,
                    relinquish);
        }
    }
}
