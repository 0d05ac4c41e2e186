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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Vhosts through RabbitMQ's management HTTP API, which needs no local OS privileges. */
final class ManagementApi implements VhostAdmin {

    private final String url;
    private final String user;
    private final String authorization;
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

    /** Reads the flat objects that {@code columns=name,type} leaves: {@code [{"name":"q","type":"quorum"}]}. */
    static Map<String, String> parseQueueTypes(String json) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> object = new HashMap<>();
        String key = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"') {
                StringBuilder s = new StringBuilder();
                for (i++; json.charAt(i) != '"'; i++) {
                    char d = json.charAt(i);
                    if (d == '\\') {
                        d = json.charAt(++i);
                        switch (d) {
                            case 'u' -> {
                                d = (char) Integer.parseInt(json.substring(i + 1, i + 5), 16);
                                i += 4;
                            }
                            case 'n' -> d = '\n';
                            case 't' -> d = '\t';
                            case 'r' -> d = '\r';
                            case 'b' -> d = '\b';
                            case 'f' -> d = '\f';
                            default -> { }
                        }
                    }
                    s.append(d);
                }
                if (key == null) {
                    key = s.toString();
                } else {
                    object.put(key, s.toString());
                    key = null;
                }
            } else if (c == ',' || c == '{') {
                key = null;
            } else if (c == '}') {
                if (object.containsKey("name")) {
                    types.put(object.get("name"), object.get("type"));
                }
                object.clear();
                key = null;
            }
        }
        return types;
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
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(timeout)
                    .header("Authorization", authorization)
                    .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(json));
            if (json != null) {
                request.header("Content-Type", "application/json");
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(method + " " + url + path + " failed: " + describe(e), e);
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
