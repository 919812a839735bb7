package dev.leaderelection.testing.redis;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** A bounded wait for a condition outside the JVM, such as a port or a PING answer. */
final class Polling {

    private static final long INTERVAL_MILLIS = 20;

    private Polling() {}

    /** Polls {@code condition} until it holds, failing with {@code failure} once {@code timeout} is over. */
    static void await(Duration timeout, BooleanSupplier condition, Supplier<String> failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(failure.get());
            }
            try {
                Thread.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting", ex);
            }
        }
    }
}
