package dev.leaderelection.etcd;

import java.util.List;

/** Prints timings that tests measure anyway, for the record; tests assert bounds, not figures. */
final class Figures {

    private Figures() {}

    static void print(String what, List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        long median = sorted.get(sorted.size() / 2);
        System.out.printf(
                "FIGURE %s: median %d ms, max %d ms, rounds %d, all %s%n",
                what, median, sorted.get(sorted.size() - 1), sorted.size(), millis);
    }
}
