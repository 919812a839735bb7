package dev.leaderelection.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** The events of all elector processes of a run, in the order they arrived, with bounded waits. */
final class EventLog {

    private final List<ElectorEvent> events = new ArrayList<>();

    synchronized void add(ElectorEvent event) {
        events.add(event);
        notifyAll();
    }

    /** A mark: later waits look only at events that arrive after it. */
    synchronized int mark() {
        return events.size();
    }

    /**
     * The first event since {@code mark} that matches, waiting for it at most {@code timeout}.
     *
     * @throws IllegalStateException naming {@code what} if none arrives in time
     */
    synchronized ElectorEvent await(int mark, Duration timeout, String what, Predicate<ElectorEvent> match) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int next = mark; ; ) {
            for (; next < events.size(); next++) {
                if (match.test(events.get(next))) {
                    return events.get(next);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("No " + what + " within " + timeout + "; events since the mark: "
                        + events.subList(mark, events.size()));
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + what, ex);
            }
        }
    }

    /** Whether an event since {@code mark} matches. */
    synchronized boolean any(int mark, Predicate<ElectorEvent> match) {
        return events.subList(mark, events.size()).stream().anyMatch(match);
    }

    /** The last event so far that matches. */
    synchronized Optional<ElectorEvent> last(Predicate<ElectorEvent> match) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (match.test(events.get(i))) {
                return Optional.of(events.get(i));
            }
        }
        return Optional.empty();
    }
}
