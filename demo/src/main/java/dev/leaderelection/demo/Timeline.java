package dev.leaderelection.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What happened and when, counted from the start of the demo; printed as it happens. */
final class Timeline {

    /** One line of the timeline: who ({@code source}) did what, {@code elapsedMillis} after the start. */
    record Entry(long elapsedMillis, String source, String message) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "[%5.1f s] %-8s %s", elapsedMillis / 1000.0, source, message);
        }
    }

    private final long startNanos = System.nanoTime();
    private final PrintStream out;
    private final List<Entry> entries = new ArrayList<>();

    Timeline(PrintStream out) {
        this.out = out;
    }

    /** Adds an entry and prints it. */
    synchronized Entry add(String source, String message) {
        Entry entry = new Entry(elapsedMillis(), source, message);
        entries.add(entry);
        out.println(entry);
        return entry;
    }

    /** Prints a step heading. */
    synchronized void step(String heading) {
        out.println();
        out.println("== " + heading);
    }

    /** Prints text that is not part of the timeline, such as the introduction. */
    synchronized void note(String text) {
        out.println(text);
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
