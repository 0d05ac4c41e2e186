package io.seatwatch.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Vhosts through RabbitMQ's management HTTP API, which needs no local OS privileges. */
final class ManagementApi implements VhostAdmin {

    private final String url;
    private final String user;
    private final String authorization;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    ManagementApi(String url, String user, String password) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.user = user;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    String url() {
        return url;
    }

    String user() {
        return user;
    }

    /** Null when the API answers for this user, else why not. */
    String problem() {
        try {
            HttpResponse<String> response = send("GET", "/api/whoami", null, Duration.ofSeconds(5));
            return response.statusCode() == 200 ? null
                    : "answered HTTP " + response.statusCode() + " to GET /api/whoami for the user " + user;
        } catch (IllegalStateException e) {
            return "did not answer (" + describe(e.getCause()) + ")";
        }
    }

    @Override
    public void recreate(String vhost) {
        delete(vhost);
        expect(send("PUT", "/api/vhosts/" + encode(vhost), null), Set.of(201, 204));
        expect(send("PUT", "/api/permissions/" + encode(vhost) + "/guest",
                "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}"), Set.of(201, 204));
    }

    @Override
    public void delete(String vhost) {
        expect(send("DELETE", "/api/vhosts/" + encode(vhost), null), Set.of(204, 404));
    }

    @Override
    public Map<String, String> queueTypes(String vhost) {
        HttpResponse<String> response = send("GET", "/api/queues/" + encode(vhost) + "?columns=name,type", null);
        return parseQueueTypes(expect(response, Set.of(200)).body());
    }

    /** Reads {@code [{"name":"q","type":"quorum"}, ...]}, the list {@code columns=name,type} leaves. */
    static Map<String, String> parseQueueTypes(String json) {
        Map<String, String> types = new LinkedHashMap<>();
        for (JsonNode queue : JSON.readTree(json)) {
            JsonNode type = queue.path("type");
            types.put(queue.path("name").asString(), type.isString() ? type.asString() : null);
        }
        return types;
    }

    @Override
    public int closeConnections(String vhost, String reason) {
        HttpResponse<String> response = send("GET", "/api/vhosts/" + encode(vhost) + "/connections?columns=name", null);
        int closed = 0;
        for (JsonNode connection : JSON.readTree(expect(response, Set.of(200)).body())) {
            HttpRequest.Builder close = request("DELETE", "/api/connections/" + encode(connection.path("name").asString()),
                    null, Duration.ofSeconds(30)).header("X-Reason", reason);
            // 404: it closed by itself meanwhile.
            if (expect(exchange(close), Set.of(204, 404)).statusCode() == 204) {
                closed++;
            }
        }
        return closed;
    }

    private HttpResponse<String> expect(HttpResponse<String> response, Set<Integer> statuses) {
        if (!statuses.contains(response.statusCode())) {
            throw new IllegalStateException(response.request().method() + " " + response.request().uri()
                    + " answered HTTP " + response.statusCode() + ": " + response.body());
        }
        return response;
    }

    private HttpResponse<String> send(String method, String path, String json) {
        return send(method, path, json, Duration.ofSeconds(30));
    }

    private HttpResponse<String> send(String method, String path, String json, Duration timeout) {
        return exchange(request(method, path, json, timeout));
    }

    private HttpRequest.Builder request(String method, String path, String json, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(timeout)
                .header("Authorization", authorization)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return request;
    }

    private HttpResponse<String> exchange(HttpRequest.Builder request) {
        HttpRequest built = request.build();
        try {
            return http.send(built, HttpResponse.BodyHandlers.ofString());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(built.method() + " " + built.uri() + " failed: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** A path segment: "/" in a vhost name must not split the path, and "+" would stay a plus. */
    private static String encode(String vhost) {
        return URLEncoder.encode(vhost, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
