package io.seatwatch.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A local webhook endpoint: keeps every POST it receives and answers 204. */
final class WebhookReceiver implements AutoCloseable {

    record Received(Map<String, List<String>> headers, String body) {}

    private final HttpServer server;
    private final String host;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    private WebhookReceiver(HttpServer server, String host) {
        this.server = server;
        this.host = host;
    }

    static WebhookReceiver start(String host) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, 0), 16);
        WebhookReceiver receiver = new WebhookReceiver(server, host);
        server.createContext("/hook", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                // Standard Webhooks libraries look headers up by their lowercase names.
                Map<String, List<String>> headers = new TreeMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
                if ("POST".equals(exchange.getRequestMethod())) {
                    receiver.received.add(new Received(headers, body));
                }
                exchange.sendResponseHeaders("POST".equals(exchange.getRequestMethod()) ? 204 : 405, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return receiver;
    }

    String url() {
        return "http://" + host + ":" + server.getAddress().getPort() + "/hook";
    }

    Received await(Duration timeout) throws InterruptedException {
        Received hook = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (hook == null) {
            throw new StepFailed("no webhook arrived at " + url() + " within " + timeout.toSeconds() + " s");
        }
        return hook;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
