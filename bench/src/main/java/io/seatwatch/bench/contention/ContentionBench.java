package io.seatwatch.bench.contention;

import io.seatwatch.bench.Hs256Tokens;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.ToDoubleFunction;

/**
 * Enrollment under contention (bench/README.md, part 2): in each round REQUESTS distinct students enroll at the
 * same instant in a new class of CAPACITY seats; the round's throughput and latencies are measured and
 * the outcome checked against what the api promises (see {@link Round}). Prints a markdown table on
 * standard output, progress on standard error; exits 1 when a round is not correct.
 *
 * <p>Arguments: apiBaseUrl requests capacity rounds [apiPid]; with the api's process id, the api's CPU
 * time per request is measured too (client and api share the machine). Environment: SEATWATCH_JWT_SECRET,
 * the api's HS256 secret (not an argument, so that it stays out of the process list).
 *
 * <p>Connections: the JDK client has no per-host connection limit for HTTP/1.1. A request that finds no
 * idle connection in the pool opens a new one, and an answered request's connection goes back to the pool
 * (kept {@code jdk.httpclient.keepalive.timeout} seconds). So the first burst opens one connection per
 * request, and the measured bursts that follow reuse them: the measured rounds do not pay TCP handshakes.
 * The number of connections actually open is read with {@code ss} after each round and printed.
 */
public final class ContentionBench {

    private static final Duration WARM_UP = Duration.ofSeconds(30);
    private static final int MIN_WARM_UP_BURSTS = 3;
    private static final int MAX_CAPACITY = 1000;        // CreateClassRequest: capacity 1..1000
    private static final int MAX_WAITLIST = 100_000;     // CreateClassRequest: waitlistCapacity 0..100000

    public static void main(String[] args) throws Exception {
        URI api = URI.create(args[0].replaceAll("/+$", "") + "/api/v1/");
        int requests = Integer.parseInt(args[1]);
        int capacity = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        ProcessHandle apiProcess = args.length > 4 ? ProcessHandle.of(Long.parseLong(args[4])).orElseThrow() : null;
        if (requests < 1 || requests > MAX_WAITLIST || capacity < 1 || capacity > MAX_CAPACITY || rounds < 1) {
            throw new IllegalArgumentException("requests 1.." + MAX_WAITLIST + ", capacity 1.." + MAX_CAPACITY + ", rounds >= 1");
        }
        String secret = System.getenv("SEATWATCH_JWT_SECRET");
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("SEATWATCH_JWT_SECRET is not set");
        }
        Hs256Tokens tokens = new Hs256Tokens(secret);
        // A small fixed pool runs the answers' completion stages: the default (cached) pool would start a
        // thread per concurrent answer, taking CPU from the api on a small machine.
        ExecutorService completions = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "http-client-completions");
            t.setDaemon(true);
            return t;
        });
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(completions)
                .build();
        Registrar registrar = new Registrar(client, api, tokens.mint("bench-registrar", "registrar"));
        // Student ids unique to this run, so that nothing left in Redis by an earlier run can interfere
        // (e.g. the limit of waitlists per student).
        String run = Long.toString(System.currentTimeMillis(), 36);

        // Warm-up: both JVMs' JIT (C2 is still busy after a few thousand requests: the first bursts are several
        // times slower than later ones), and the client's pool gets its connections (the first burst opens
        // them). Warm-up bursts are rounds like the measured ones, on classes of their own, checked the same
        // way but not measured.
        List<Round> warmUps = new ArrayList<>();
        long warmUpStart = System.nanoTime();
        while (warmUps.size() < MIN_WARM_UP_BURSTS || System.nanoTime() - warmUpStart < WARM_UP.toNanos()) {
            Round round = round(client, api, apiProcess, registrar, tokens, run + "-w", warmUps.size() + 1, requests, capacity);
            warmUps.add(round);
            System.err.printf(Locale.ROOT, "warm-up %d: %.0f requests/s, %s%n", round.number(), round.requestsPerSecond(),
                    round.correct() ? "correct" : "NOT CORRECT: " + String.join("; ", round.problems()));
        }
        double warmUpSeconds = (System.nanoTime() - warmUpStart) / 1e9;

        List<Round> results = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            Round round = round(client, api, apiProcess, registrar, tokens, run + "-r", r, requests, capacity);
            results.add(round);
            System.err.printf(Locale.ROOT, "round %d: %.0f requests/s, %s%n", r, round.requestsPerSecond(),
                    round.correct() ? "correct" : "NOT CORRECT: " + String.join("; ", round.problems()));
        }
        System.out.print(markdown(results, warmUps, warmUpSeconds, requests, capacity));
        System.exit(results.stream().allMatch(Round::correct) ? 0 : 1);
    }

    /** A new class, a burst of {@code requests} distinct students at it, then the registrar's read-back. */
    private static Round round(HttpClient client, URI api, ProcessHandle apiProcess, Registrar registrar, Hs256Tokens tokens,
                               String prefix, int number, int requests, int capacity) throws IOException, InterruptedException {
        String id = prefix + number;
        String classId = registrar.createClass(id, capacity, requests);
        Burst burst = Burst.prepare(api, classId, students(id, requests), tokens);
        long apiCpu = cpuNanos(apiProcess);
        long clientCpu = cpuNanos(ProcessHandle.current());
        Burst.Outcome outcome = burst.fire(client);
        long apiCpuUsed = apiCpu < 0 ? -1 : cpuNanos(apiProcess) - apiCpu;
        long clientCpuUsed = clientCpu < 0 ? -1 : cpuNanos(ProcessHandle.current()) - clientCpu;
        int connections = openConnections(api.getPort());
        return Round.check(number, capacity, outcome, registrar.counts(classId), registrar.enrolledStudents(classId),
                connections, apiCpuUsed, clientCpuUsed);
    }

    /** The process's CPU time so far (user and system), or -1 when unknown. */
    private static long cpuNanos(ProcessHandle process) {
        return process == null ? -1 : process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    private static List<String> students(String prefix, int count) {
        List<String> ids = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            ids.add(prefix + "-" + i);
        }
        return ids;
    }

    private static String markdown(List<Round> rounds, List<Round> warmUps, double warmUpSeconds, int requests, int capacity) {
        StringBuilder md = new StringBuilder();
        md.append("## Enrollment under contention\n\n");
        md.append(String.format(Locale.ROOT, "%,d distinct students enroll at the same instant in a new class of %d seats "
                        + "(waitlist capacity %,d), %d round%s after %d warm-up bursts (%.0f s); the api alone (rate limit and "
                        + "relay off), client on the same machine: %d CPUs, Java %s.%n%n",
                requests, capacity, requests, rounds.size(), rounds.size() == 1 ? "" : "s", warmUps.size(), warmUpSeconds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.runtime.version")));
        md.append("| round | requests | capacity | requests/s | p50 ms | p99 ms | max ms | enrolled | waitlisted | other | correct |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Round r : rounds) {
            md.append(String.format(Locale.ROOT, "| %d | %d | %d | %.0f | %.1f | %.1f | %.1f | %d | %d | %d | %s |%n",
                    r.number(), r.requests(), r.capacity(), r.requestsPerSecond(), r.p50Ms(), r.p99Ms(), r.maxMs(),
                    r.enrolled(), r.waitlisted(), r.other(), r.correct() ? "yes" : "NO"));
        }
        long correct = rounds.stream().filter(Round::correct).count();
        md.append(String.format(Locale.ROOT, "| **median** | %d | %d | **%.0f** | **%.1f** | **%.1f** | **%.1f** | %.0f | %.0f | %.0f | %d/%d |%n",
                requests, capacity, median(rounds, Round::requestsPerSecond), median(rounds, Round::p50Ms),
                median(rounds, Round::p99Ms), median(rounds, Round::maxMs), median(rounds, Round::enrolled),
                median(rounds, Round::waitlisted), median(rounds, Round::other), correct, rounds.size()));
        md.append("\n");
        boolean connectionPerRequest = rounds.stream().allMatch(r -> r.connections() == requests);
        md.append(String.format(Locale.ROOT, "Concurrency: all %,d requests handed to the JDK HttpClient (HTTP/1.1, async) "
                        + "within %.1f ms of the release (median); TCP connections open to the api after each round: %s%s.%n",
                requests, median(rounds, Round::dispatchMs),
                rounds.stream().map(r -> r.connections() < 0 ? "unknown" : String.valueOf(r.connections())).toList(),
                connectionPerRequest ? " (one per request: opened by the first warm-up burst, reused since)" : ""));
        md.append(String.format(Locale.ROOT, "CPU per request during the bursts (median): api %.2f ms, this client %.2f ms. "
                        + "Both share the %d CPUs, so requests/s is what this machine does with this client, not the api's ceiling.%n",
                median(rounds, Round::apiCpuMsPerRequest), median(rounds, Round::clientCpuMsPerRequest),
                Runtime.getRuntime().availableProcessors()));
        md.append("Latency: from a request's hand-off to its whole answer; requests/s: requests / (release to last answer).\n");
        md.append("Correct: exactly `capacity` answers 201 ENROLLED, the rest 202 WAITLISTED with positions 1..rest each once, "
                + "nothing else; GET class shows enrolledCount = capacity and waitlistCount = rest; "
                + "GET enrollments (pages of 100) lists exactly the students answered 201.\n");
        md.append(String.format(Locale.ROOT, "Warm-up bursts, checked the same way (reported, not part of the exit status: "
                        + "they show how a cold api copes): %d/%d correct, %.0f to %.0f requests/s.%n",
                warmUps.stream().filter(Round::correct).count(), warmUps.size(),
                warmUps.stream().mapToDouble(Round::requestsPerSecond).min().orElse(0),
                warmUps.stream().mapToDouble(Round::requestsPerSecond).max().orElse(0)));
        for (Round r : warmUps) {
            for (String problem : r.problems()) {
                md.append("\n**Warm-up burst ").append(r.number()).append(" not correct:** ").append(problem).append('\n');
            }
        }
        for (Round r : rounds) {
            for (String problem : r.problems()) {
                md.append("\n**Round ").append(r.number()).append(" not correct:** ").append(problem).append('\n');
            }
        }
        return md.toString();
    }

    private static double median(List<Round> rounds, ToDoubleFunction<Round> measure) {
        double[] values = rounds.stream().mapToDouble(measure).sorted().toArray();
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    /** Client-side sockets established to the api's port, by {@code ss}; -1 when ss is not there. */
    private static int openConnections(int port) {
        try {
            Process ss = new ProcessBuilder("ss", "-Htn", "state", "established", "( dport = :" + port + " )")
                    .redirectErrorStream(true).start();
            int count = 0;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(ss.getInputStream(), StandardCharsets.UTF_8))) {
                while (out.readLine() != null) {
                    count++;
                }
            }
            return ss.waitFor() == 0 ? count : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
