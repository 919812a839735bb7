package dev.leaderelection.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The suite's summary: one row per scenario, printed when the suite ends. */
final class ResultsTable {

    /** A scenario's figures; lateness is {@code null} where the scenario has no step-down to time. */
    record Row(String scenario, int rounds, int overlaps, long maxGapMillis, Long maxLatenessMillis) {}

    private final List<Row> rows = new ArrayList<>();

    synchronized void add(Row row) {
        rows.add(row);
    }

    synchronized String render() {
        StringBuilder table = new StringBuilder(String.format(
                Locale.ROOT,
                "| %-52s | %6s | %8s | %20s | %24s |%n",
                "scenario",
                "rounds",
                "overlaps",
                "max leaderless gap",
                "max step-down lateness"));
        table.append("|")
                .append("-".repeat(54))
                .append("|--------|----------|----------------------|")
                .append("-".repeat(26))
                .append("|\n");
        for (Row row : rows) {
            table.append(String.format(
                    Locale.ROOT,
                    "| %-52s | %6d | %8d | %17d ms | %24s |%n",
                    row.scenario(),
                    row.rounds(),
                    row.overlaps(),
                    row.maxGapMillis(),
                    row.maxLatenessMillis() == null ? "n/a" : row.maxLatenessMillis() + " ms"));
        }
        return table.toString();
    }
}
