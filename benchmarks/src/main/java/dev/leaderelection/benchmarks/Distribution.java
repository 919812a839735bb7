package dev.leaderelection.benchmarks;

import java.util.List;

/**
 * A summary of repeated measurements in milliseconds. The median of an even count is the mean of
 * the two middle values; p95 is the nearest rank (the smallest value with at least 95% of all at or
 * below it, so the maximum for fewer than 20 values).
 *
 * @param values every measurement, in the order taken
 */
record Distribution(List<Double> values) {

    Distribution {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no measurements");
        }
        values = List.copyOf(values);
    }

    double median() {
        List<Double> sorted = sorted();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    double p95() {
        List<Double> sorted = sorted();
        int rank = (int) Math.ceil(0.95 * sorted.size());
        return sorted.get(Math.max(rank, 1) - 1);
    }

    double min() {
        return sorted().get(0);
    }

    double max() {
        List<Double> sorted = sorted();
        return sorted.get(sorted.size() - 1);
    }

    int count() {
        return values.size();
    }

    private List<Double> sorted() {
        return values.stream().sorted().toList();
    }
}
