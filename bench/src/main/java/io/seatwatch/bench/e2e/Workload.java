package io.seatwatch.bench.e2e;

import io.seatwatch.bench.Hs256Tokens;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * What the users do, through the public API only: per drop to come, a class of capacity 1 with student A
 * enrolled and student B waitlisted and subscribed (email = their token's verified email, so ACTIVE at once,
 * and a webhook); then A's drops, open loop at a fixed rate, each promoting B.
 */
public final class Workload {

    /** A prepared class: who drops (and their token), who is promoted. */
    public record Seat(String classId, String dropper, String dropperToken, String promoted) {}

    private final URI api;
    private final Hs256Tokens tokens;
    private final String webhookUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    public final ConcurrentHashMap<String, Long> dropSentAt = new ConcurrentHashMap<>();
    final AtomicInteger dropErrors = new AtomicInteger();
    /** The promoted students whose drop was answered 204: only these must be notified. */
    public final Set<String> dropped = ConcurrentHashMap.newKeySet();

    public Workload(URI api, String jwtSecret, String webhookUrl) {
        this.api = api;
        this.tokens = new Hs256Tokens(jwtSecret);
        this.webhookUrl = webhookUrl;
    }

    /** Prepares {@code n} classes, {@code parallel} at a time; fails on any unexpected answer. */
    public List<Seat> prepare(String run, int n, int parallel) throws Exception {
        String registrar = tokens.mint("bench-registrar", "registrar");
        Semaphore slots = new Semaphore(parallel);
        List<CompletableFuture<Seat>> seats = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            slots.acquire();
            String a = "a-" + run + "-" + i, b = "b-" + run + "-" + i;
            String aToken = tokens.mint(a, "student"), bToken = tokens.mint(b, "student", b + "@bench.example");
            String classBody = "{\"department\":\"E2E\",\"courseCode\":\"" + run + "-" + i + "\",\"section\":\"01\","
                    + "\"title\":\"Bench\",\"instructorId\":\"prof\",\"capacity\":1,\"waitlistCapacity\":10}";
            CompletableFuture<Seat> seat = send("POST", "/api/v1/classes", registrar, classBody, 201)
                    .thenApply(body -> body.replaceAll("(?s).*\"id\":\"([a-z0-9]+)\".*", "$1"))
                    .thenCompose(classId -> send("POST", "/api/v1/classes/" + classId + "/enrollments", aToken,
                            "{\"studentId\":\"" + a + "\"}", 201).thenApply(x -> classId))
                    .thenCompose(classId -> send("POST", "/api/v1/classes/" + classId + "/enrollments", bToken,
                            "{\"studentId\":\"" + b + "\"}", 202).thenApply(x -> classId))
                    .thenCompose(classId -> send("PUT", "/api/v1/students/" + b + "/subscriptions/" + classId, bToken,
                            "{\"email\":\"" + b + "@bench.example\",\"webhookUrl\":\"" + webhookUrl + "\"}", 201)
                            .thenApply(x -> new Seat(classId, a, aToken, b)))
                    .whenComplete((s, e) -> slots.release());
            seats.add(seat);
        }
        List<Seat> ready = new ArrayList<>(n);
        for (CompletableFuture<Seat> seat : seats) {
            ready.add(seat.join());
        }
        return ready;
    }

    /**
     * Sends one drop per seat at {@code rate} per second on a fixed schedule (open loop: a slow answer never
     * delays the next drop); returns the achieved send rate.
     */
    public double drop(List<Seat> seats, double rate) {
        long interval = (long) (1_000_000_000L / rate);
        long start = System.nanoTime();
        List<CompletableFuture<?>> pending = new ArrayList<>(seats.size());
        for (int i = 0; i < seats.size(); i++) {
            long due = start + i * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            Seat seat = seats.get(i);
            dropSentAt.put(seat.promoted(), System.nanoTime());
            pending.add(send("DELETE", "/api/v1/classes/" + seat.classId() + "/enrollments/" + seat.dropper(), seat.dropperToken(),
                    null, 204).thenRun(() -> dropped.add(seat.promoted())).exceptionally(e -> {
                        dropErrors.incrementAndGet();
                        return null;
                    }));
        }
        double achieved = seats.size() / ((System.nanoTime() - start) / 1e9);
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        return achieved;
    }

    private CompletableFuture<String> send(String method, String path, String token, String body, int expected) {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != expected) {
                throw new IllegalStateException(method + " " + path + ": expected " + expected + ", got "
                        + response.statusCode() + " " + response.body());
            }
            return response.body();
        });
    }
}
