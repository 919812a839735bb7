package dev.leaderelection;

import java.time.Duration;
import java.util.List;

/**
 * Election timings that cannot work together. The message names the settings and their values;
 * {@link #settings()} lists the setting names (such as {@code leaseDuration}) so that callers can
 * map them to their own configuration keys.
 */
public class InvalidTimingsException extends IllegalArgumentException {

    private final List<String> settings;

    public InvalidTimingsException(String message, String... settings) {
        super(message);
        this.settings = List.of(settings);
    }

    /** The names of the settings at fault, the first one the most likely to change. */
    public List<String> settings() {
        return settings;
    }

    static void requirePositive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new InvalidTimingsException(name + " (" + format(value) + ") must be positive", name);
        }
    }

    /** Formats a duration the way configuration files write it: {@code 10s}, {@code 250ms}. */
    static String format(Duration duration) {
        if (duration.toNanos() % 1_000_000 != 0) {
            return duration.toNanos() + "ns";
        }
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
    }
}
