package io.seatwatch.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The api as any HTTP client sees it. */
final class ApiClient {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ApiClient(URI base) {
        this.base = base;
    }

    record Response(int status, HttpHeaders headers, String body) {

        JsonNode json() {
            return JSON.readTree(body.isEmpty() ? "{}" : body);
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    /** {@code token} null sends no Authorization; {@code body} non-null is sent as JSON. */
    Response send(String method, String path, String token, Object body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new StepFailed(method + " " + base.resolve(path) + " failed: " + e + " (is ./seatwatch up running?)");
        }
    }
}
