package dev.leaderelection.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The suite's summary: one row per scenario, printed when the suite ends. */
final class ResultsTable {

    /**
     * A scenario's figures; lateness is {@code null} where the scenario has no step-down to time, and
     * the first grant after a promotion where it promotes no replica.
     */
    record Row(
            String scenario,
            int rounds,
            int overlaps,
            long maxGapMillis,
            Long maxLatenessMillis,
            Long minGrantAfterPromotionMillis) {

        /** A scenario the store cannot run (its server has no such fault): {@code n/a} in every column. */
        static Row notApplicable(String scenario) {
            return new Row(scenario, 0, 0, 0, null, null);
        }

        boolean applicable() {
            return rounds > 0;
        }
    }

    private final List<Row> rows = new ArrayList<>();

    synchronized void add(Row row) {
        rows.add(row);
    }

    synchronized String render() {
        StringBuilder table = new StringBuilder(String.format(
                Locale.ROOT,
                "| %-52s | %6s | %8s | %20s | %24s | %28s |%n",
                "scenario",
                "rounds",
                "overlaps",
                "max leaderless gap",
                "max step-down lateness",
                "min grant after promotion"));
        table.append("|")
                .append("-".repeat(54))
                .append("|--------|----------|----------------------|")
                .append("-".repeat(26))
                .append("|")
                .append("-".repeat(30))
                .append("|\n");
        for (Row row : rows) {
            if (!row.applicable()) {
                table.append(String.format(
                        Locale.ROOT,
                        "| %-52s | %6s | %8s | %20s | %24s | %28s |%n",
                        row.scenario(),
                        "n/a",
                        "n/a",
                        "n/a",
                        "n/a",
                        "n/a"));
                continue;
            }
            table.append(String.format(
                    Locale.ROOT,
                    "| %-52s | %6d | %8d | %17d ms | %24s | %28s |%n",
                    row.scenario(),
                    row.rounds(),
                    row.overlaps(),
                    row.maxGapMillis(),
                    millis(row.maxLatenessMillis()),
                    millis(row.minGrantAfterPromotionMillis())));
        }
        return table.toString();
    }

    private static String millis(Long millis) {
        return millis == null ? "n/a" : millis + " ms";
    }
}
