package dev.leaderelection.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One line an {@link ElectorApp} printed: {@code EVENT <nanoTime> <kind> [details...]}.
 *
 * @param instance the instance that printed it
 * @param nanos the child's {@link System#nanoTime()} when it happened
 * @param kind what happened, such as {@code GRANTED}
 * @param details the words after the kind
 */
record ElectorEvent(String instance, long nanos, String kind, List<String> details) {

    static final String PREFIX = "EVENT";
    static final String GRANTED = "GRANTED";
    static final String REVOKED = "REVOKED";
    static final String STATE = "STATE";
    static final String STORE = "STORE";
    static final String STOP_CALLED = "STOP_CALLED";
    static final String STOPPED = "STOPPED";
    static final String YIELD_CALLED = "YIELD_CALLED";

    /** The line for an event that happens now. */
    static String line(String kind, Object... details) {
        StringBuilder line = new StringBuilder(PREFIX)
                .append(' ')
                .append(System.nanoTime())
                .append(' ')
                .append(kind);
        for (Object detail : details) {
            line.append(' ').append(detail);
        }
        return line.toString();
    }

    /** Parses a line of {@code instance}; other output is not an event. */
    static Optional<ElectorEvent> parse(String instance, String line) {
        String[] words = line.trim().split(" ");
        if (words.length < 3 || !words[0].equals(PREFIX)) {
            return Optional.empty();
        }
        List<String> details = Arrays.asList(words).subList(3, words.length);
        return Optional.of(new ElectorEvent(instance, Long.parseLong(words[1]), words[2], List.copyOf(details)));
    }

    /** Whether {@code instance} printed this event of {@code kind}. */
    boolean is(String instance, String kind) {
        return this.instance.equals(instance) && this.kind.equals(kind);
    }

    /** Whether this is a state change of {@code instance} into {@code state}. */
    boolean entered(String instance, String state) {
        return is(instance, STATE) && details.get(0).equals(state);
    }

    /** Whether this is a store call of {@code operation} (such as {@code RENEW}) that got an answer. */
    boolean answered(String instance, String operation) {
        return is(instance, STORE)
                && details.get(0).equals(operation)
                && details.get(1).equals("SUCCESS");
    }
}
