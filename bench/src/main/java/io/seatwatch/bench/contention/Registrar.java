package io.seatwatch.bench.contention;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The registrar's side of a round: creates the class, then reads back what the api holds for it. */
final class Registrar {

    /** The class's counters as GET /api/v1/classes/{id} shows them. */
    record Counts(int enrolledCount, int waitlistCount) {}

    private final HttpClient client;
    private final URI api;
    private final String token;

    Registrar(HttpClient client, URI api, String token) {
        this.client = client;
        this.api = api;
        this.token = token;
    }

    /** Creates a class and returns its id. */
    String createClass(String courseCode, int capacity, int waitlistCapacity) throws IOException, InterruptedException {
        String body = "{\"department\":\"BENCH\",\"courseCode\":\"" + courseCode + "\",\"section\":\"01\","
                + "\"title\":\"Contention bench\",\"instructorId\":\"bench-prof\",\"capacity\":" + capacity
                + ",\"waitlistCapacity\":" + waitlistCapacity + "}";
        String answer = call(HttpRequest.newBuilder(api.resolve("classes"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), 201);
        return JsonFields.string(answer, "id");
    }

    Counts counts(String classId) throws IOException, InterruptedException {
        String answer = call(HttpRequest.newBuilder(api.resolve("classes/" + classId)).GET(), 200);
        return new Counts(JsonFields.integer(answer, "enrolledCount"), JsonFields.integer(answer, "waitlistCount"));
    }

    /** Every enrolled student, through the pages of GET /classes/{id}/enrollments (limit 100, the maximum). */
    List<String> enrolledStudents(String classId) throws IOException, InterruptedException {
        List<String> students = new ArrayList<>();
        String cursor = null;
        do {
            String query = "?limit=100" + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            String page = call(HttpRequest.newBuilder(api.resolve("classes/" + classId + "/enrollments" + query)).GET(), 200);
            students.addAll(JsonFields.strings(page, "studentId"));
            cursor = JsonFields.string(page, "nextCursor");
        } while (cursor != null);
        return students;
    }

    private String call(HttpRequest.Builder request, int expected) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(response.request().method() + " " + response.request().uri() + " answered "
                    + response.statusCode() + " (expected " + expected + "): " + response.body());
        }
        return response.body();
    }
}
