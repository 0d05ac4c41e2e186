package io.seatwatch.bench.e2e;

import java.util.Arrays;

/** Latency percentiles in milliseconds (nearest rank). */
record Stats(int count, double p50, double p99, double max) {

    static Stats of(double[] millis) {
        if (millis.length == 0) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN);
        }
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        return new Stats(sorted.length, rank(sorted, 0.50), rank(sorted, 0.99), sorted[sorted.length - 1]);
    }

    private static double rank(double[] sorted, double q) {
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
