package io.seatwatch.bench.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.subethamail.smtp.server.SMTPServer;

/**
 * Where the notifications land, each timestamped when it is accepted: an SMTP server (the moment the
 * message's DATA is complete, before the 250) and a webhook receiver (the moment the request body is read).
 * Arrivals are keyed by the bench student the notification is for.
 */
public final class Sinks implements AutoCloseable {

    private static final Pattern STUDENT_IN_ADDRESS = Pattern.compile("(b-[a-z0-9]+-\\d+)@bench\\.example");
    private static final Pattern STUDENT_IN_BODY = Pattern.compile("\"studentId\":\"(b-[a-z0-9]+-\\d+)\"");

    /** One accepted notification: for whom, when (System.nanoTime), and its id (Message-ID or webhook-id). */
    public record Arrival(String student, long atNanos, String id) {}

    public final ConcurrentLinkedQueue<Arrival> emails = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<Arrival> webhooks = new ConcurrentLinkedQueue<>();
    public final AtomicLong unmatched = new AtomicLong();
    final ConcurrentHashMap<String, Boolean> webhookIds = new ConcurrentHashMap<>();

    private final SMTPServer smtp;
    private final HttpServer http;
    private final ExecutorService httpThreads = Executors.newFixedThreadPool(8);

    public Sinks(int smtpPort, int webhookPort) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        smtp = SMTPServer.port(smtpPort).bindAddress(loopback).maxConnections(64)
                .messageHandler((context, from, to, data) -> {
                    long now = System.nanoTime();
                    Matcher m = STUDENT_IN_ADDRESS.matcher(to);
                    if (m.find()) {
                        emails.add(new Arrival(m.group(1), now, messageId(data)));
                    } else {
                        unmatched.incrementAndGet();
                    }
                })
                .build();
        smtp.start();
        http = HttpServer.create(new InetSocketAddress(loopback, webhookPort), 256);
        http.setExecutor(httpThreads);
        http.createContext("/hook", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                long now = System.nanoTime();
                Matcher m = STUDENT_IN_BODY.matcher(body);
                if (m.find()) {
                    webhooks.add(new Arrival(m.group(1), now, exchange.getRequestHeaders().getFirst("webhook-id")));
                } else {
                    unmatched.incrementAndGet();
                }
                exchange.sendResponseHeaders(204, -1);
            } finally {
                exchange.close();
            }
        });
        http.start();
    }

    private static String messageId(byte[] data) {
        Matcher m = Pattern.compile("(?im)^Message-ID:\\s*(\\S+)").matcher(new String(data, StandardCharsets.US_ASCII));
        return m.find() ? m.group(1) : "";
    }

    void clear() {
        emails.clear();
        webhooks.clear();
    }

    @Override
    public void close() {
        http.stop(0);
        httpThreads.shutdownNow();
        smtp.stop();
    }
}
