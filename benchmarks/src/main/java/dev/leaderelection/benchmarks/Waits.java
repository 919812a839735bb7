package dev.leaderelection.benchmarks;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded polling for a condition, and plain sleeping for measurement windows and pacing. */
public final class Waits {

    private static final Duration POLL_INTERVAL = Duration.ofMillis(10);

    private Waits() {}

    /**
     * Returns once {@code condition} holds.
     *
     * @throws IllegalStateException naming {@code what} if it does not hold within {@code timeout}
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("No " + what + " within " + timeout);
            }
            sleep(POLL_INTERVAL);
        }
    }

    /** Sleeps through a measurement window or a pause chosen on purpose; never to wait for a state. */
    public static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis(), (int) (duration.toNanos() % 1_000_000));
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", ex);
        }
    }
}
