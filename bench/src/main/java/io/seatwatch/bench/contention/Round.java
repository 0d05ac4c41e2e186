package io.seatwatch.bench.contention;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One measured round: the burst's figures and whether the api kept its promise. Correct means exactly
 * {@code capacity} answers 201 ENROLLED, the rest 202 WAITLISTED with positions 1..rest each exactly once,
 * nothing else; the class then shows {@code enrolledCount = capacity} and {@code waitlistCount = rest}, and
 * its enrollments listing holds exactly the students that were answered 201.
 */
record Round(int number, int requests, int capacity, double requestsPerSecond, double p50Ms, double p99Ms,
             double maxMs, int enrolled, int waitlisted, int other, double dispatchMs, int connections,
             double apiCpuMsPerRequest, double clientCpuMsPerRequest, List<String> problems) {

    boolean correct() {
        return problems.isEmpty();
    }

    /** {@code apiCpuNanos} and {@code clientCpuNanos}: CPU time each process used during the burst (-1: unknown). */
    static Round check(int number, int capacity, Burst.Outcome outcome, Registrar.Counts counts,
                       List<String> listed, int connections, long apiCpuNanos, long clientCpuNanos) {
        List<Burst.Answer> answers = outcome.answers();
        int requests = answers.size();
        int expectedEnrolled = Math.min(capacity, requests);
        int expectedWaitlisted = requests - expectedEnrolled;
        List<String> problems = new ArrayList<>();

        Set<String> enrolledStudents = new HashSet<>();
        int waitlisted = 0;
        int other = 0;
        int[] positionSeen = new int[expectedWaitlisted + 1];
        Set<Integer> strayPositions = new TreeSet<>();
        Map<String, Integer> otherKinds = new TreeMap<>();  // e.g. "500 /problems/internal-error" -> count
        for (Burst.Answer a : answers) {
            String status = a.body() == null ? null : JsonFields.string(a.body(), "status");
            if (a.status() == 201 && "ENROLLED".equals(status)) {
                enrolledStudents.add(a.studentId());
            } else if (a.status() == 202 && "WAITLISTED".equals(status)) {
                waitlisted++;
                Integer position = JsonFields.integer(a.body(), "position");
                if (position != null && position >= 1 && position <= expectedWaitlisted) {
                    positionSeen[position]++;
                } else {
                    strayPositions.add(position == null ? -1 : position);
                }
            } else {
                other++;
                String kind = a.failure() != null ? a.failure().getClass().getSimpleName()
                        : a.status() + " " + (a.body() == null ? "" : String.valueOf(JsonFields.string(a.body(), "type")));
                otherKinds.merge(kind, 1, Integer::sum);
            }
        }
        int enrolled = enrolledStudents.size();
        if (enrolled != expectedEnrolled) {
            problems.add(enrolled + " answers 201 ENROLLED, expected " + expectedEnrolled);
        }
        if (waitlisted != expectedWaitlisted) {
            problems.add(waitlisted + " answers 202 WAITLISTED, expected " + expectedWaitlisted);
        }
        if (other != 0) {
            problems.add(other + " other answers: " + otherKinds);
        }
        List<Integer> duplicated = new ArrayList<>();
        List<Integer> missing = new ArrayList<>();
        for (int p = 1; p <= expectedWaitlisted; p++) {
            if (positionSeen[p] == 0) {
                missing.add(p);
            } else if (positionSeen[p] > 1) {
                duplicated.add(p);
            }
        }
        if (!duplicated.isEmpty() || !missing.isEmpty() || !strayPositions.isEmpty()) {
            problems.add("waitlist positions: duplicated " + head(duplicated) + ", missing " + head(missing)
                    + ", out of 1.." + expectedWaitlisted + " " + head(new ArrayList<>(strayPositions)));
        }
        int appliedUnanswered = counts.enrolledCount() + counts.waitlistCount() - enrolled - waitlisted;
        if (other > 0 && appliedUnanswered > 0) {
            // An error answer is not proof that nothing happened: e.g. a Redis command timeout after the script ran.
            problems.add(appliedUnanswered + " of the " + other + " requests answered otherwise were applied nonetheless: the class"
                    + " holds " + counts.enrolledCount() + " enrolled and " + counts.waitlistCount() + " waitlisted");
        }
        if (counts.enrolledCount() != expectedEnrolled || counts.waitlistCount() != expectedWaitlisted) {
            problems.add("GET class: enrolledCount " + counts.enrolledCount() + ", waitlistCount " + counts.waitlistCount()
                    + ", expected " + expectedEnrolled + " and " + expectedWaitlisted);
        }
        Set<String> listedSet = new HashSet<>(listed);
        if (listed.size() != expectedEnrolled || listedSet.size() != listed.size() || !listedSet.equals(enrolledStudents)) {
            problems.add("enrollments listing: " + listed.size() + " entries (" + listedSet.size() + " distinct), expected the "
                    + enrolled + " students answered 201" + (listedSet.equals(enrolledStudents) ? "" : ", and they differ"));
        }

        long[] latencies = answers.stream().mapToLong(Burst.Answer::latencyNanos).sorted().toArray();
        return new Round(number, requests, capacity, requests / (outcome.wallNanos() / 1e9),
                percentile(latencies, 0.50), percentile(latencies, 0.99), latencies[latencies.length - 1] / 1e6,
                enrolled, waitlisted, other, outcome.dispatchNanos() / 1e6, connections,
                apiCpuNanos < 0 ? Double.NaN : apiCpuNanos / 1e6 / requests,
                clientCpuNanos < 0 ? Double.NaN : clientCpuNanos / 1e6 / requests, List.copyOf(problems));
    }

    /** Nearest-rank percentile, in milliseconds. */
    private static double percentile(long[] sortedNanos, double p) {
        int rank = (int) Math.ceil(p * sortedNanos.length);
        return sortedNanos[Math.max(0, rank - 1)] / 1e6;
    }

    private static String head(List<Integer> values) {
        return values.size() <= 10 ? values.toString()
                : Arrays.toString(values.subList(0, 10).toArray()) + " and " + (values.size() - 10) + " more";
    }
}
