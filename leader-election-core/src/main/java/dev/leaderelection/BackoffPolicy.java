package dev.leaderelection;

import java.time.Duration;

/**
 * Exponential back-off with jitter for waits after store errors.
 *
 * @param initial the wait after the first failure
 * @param max the longest wait
 * @param multiplier the growth factor per further failure, at least 1
 * @param jitter the fraction of each wait that is random, from 0 (none) to 1 (full jitter)
 */
public record BackoffPolicy(Duration initial, Duration max, double multiplier, double jitter) {

    /** 100 ms, doubling up to 5 s, half of each wait random. */
    public static final BackoffPolicy DEFAULT =
            new BackoffPolicy(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0, 0.5);

    public BackoffPolicy {
        InvalidTimingsException.requirePositive("backoff.initial", initial);
        InvalidTimingsException.requirePositive("backoff.max", max);
        if (max.compareTo(initial) < 0) {
            throw new InvalidTimingsException(
                    "backoff.max (%s) must not be less than backoff.initial (%s)"
                            .formatted(InvalidTimingsException.format(max), InvalidTimingsException.format(initial)),
                    "backoff.max",
                    "backoff.initial");
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new InvalidTimingsException(
                    "backoff.multiplier (" + multiplier + ") must be a finite number of at least 1",
                    "backoff.multiplier");
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new InvalidTimingsException(
                    "backoff.jitter (" + jitter + ") must be between 0 and 1", "backoff.jitter");
        }
    }

    /**
     * The wait after {@code failures} consecutive failures.
     *
     * @param failures at least 1
     * @param random a number in [0, 1) that picks the jittered part
     */
    public Duration delay(int failures, double random) {
        double exponential = initial.toNanos() * Math.pow(multiplier, Math.max(0, failures - 1));
        double capped = Math.min(exponential, max.toNanos());
        double jittered = capped * (1.0 - jitter * random);
        return Duration.ofNanos((long) jittered);
    }
}
