package io.seatwatch.notifier.webhook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A real local webhook receiver (MockWebServer on 127.0.0.1): answers with the responses queued by
 * {@link #respond}, each possibly computed from the request, then with 200; records every request.
 */
public final class Receiver implements AutoCloseable {

    private final MockWebServer server = new MockWebServer();
    private final Queue<Function<RecordedRequest, MockResponse>> answers = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();

    public Receiver() {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                Function<RecordedRequest, MockResponse> answer = answers.poll();
                MockResponse response = answer == null ? status(200) : answer.apply(request);
                received.add(new Received(request, System.nanoTime()));
                return response;
            }
        });
        try {
            server.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static MockResponse status(int code) {
        return new MockResponse.Builder().code(code).build();
    }

    public Receiver respond(MockResponse... responses) {
        for (MockResponse r : responses) {
            answers.add(request -> r);
        }
        return this;
    }

    /** The next request is answered by this function (which may change the world first). */
    public Receiver respond(Function<RecordedRequest, MockResponse> answer) {
        answers.add(answer);
        return this;
    }

    public int port() {
        return server.getPort();
    }

    /** {@code http://<host>:<port>/hook} */
    public String url(String host) {
        return "http://" + host + ":" + port() + "/hook";
    }

    public String url() {
        return url("127.0.0.1");
    }

    public List<Received> requests() {
        return new ArrayList<>(received);
    }

    public int count() {
        return received.size();
    }

    @Override
    public void close() {
        server.close();
    }

    /** One request as the receiver saw it, and when (System.nanoTime). */
    public record Received(RecordedRequest request, long nanos) {

        public String header(String name) {
            return request.getHeaders().get(name);
        }

        public String body() {
            return request.getBody() == null ? "" : request.getBody().utf8();
        }

        public String path() {
            return request.getUrl().encodedPath();
        }

        /** Headers as the reference verifier takes them. */
        public Map<String, List<String>> headers() {
            Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            request.getHeaders().names().forEach(n -> map.put(n.toLowerCase(java.util.Locale.ROOT), request.getHeaders().values(n)));
            return map;
        }
    }
}
