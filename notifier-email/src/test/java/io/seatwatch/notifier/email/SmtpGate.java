package io.seatwatch.notifier.email;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * What the app under test takes for its SMTP server, on a port that stays the same while the test changes
 * what answers there:
 * <ul>
 *   <li>{@link #forward()}: a TCP relay to the real SMTP server (GreenMail), optionally after a delay;</li>
 *   <li>{@link #down()}: nothing listens, connections are refused;</li>
 *   <li>{@link #reject(String)}: a minimal SMTP server that answers every {@code RCPT TO} with the given
 *       reply (e.g. {@code 550 5.1.1 user unknown} or {@code 451 4.3.0 try later}, or {@code 250 OK}, and
 *       then it takes the data too); {@link #answerRcpt(String)} changes that reply on open connections.</li>
 * </ul>
 * It counts connections and RCPT commands, so tests can tell how many attempts were made, and tells how many
 * connections are still open.
 */
final class SmtpGate implements AutoCloseable {

    private final int port;
    private final IntSupplier upstreamPort;
    private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService delays = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "smtp-gate-delay");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger rcpts = new AtomicInteger();
    private volatile ServerSocket server;
    private volatile String rcptReply;
    private volatile long delayMillis;

    SmtpGate(IntSupplier upstreamPort) {
        this.upstreamPort = upstreamPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            this.port = probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        forward();
    }

    int port() {
        return port;
    }

    /** Connections accepted since the last mode change. */
    int connections() {
        return connections.get();
    }

    /** Connections from the app under test that neither side has closed yet. */
    long openConnections() {
        return clients.stream().filter(c -> !c.isClosed()).count();
    }

    /** RCPT TO commands answered by {@link #reject} since the last mode change. */
    int rcptAttempts() {
        return rcpts.get();
    }

    synchronized void forward() {
        forward(0);
    }

    /** Relays to the real server, opening the upstream connection only after {@code delayMillis}. */
    synchronized void forward(long delayMillis) {
        this.delayMillis = delayMillis;
        this.rcptReply = null;
        reset();
        listen();
    }

    synchronized void reject(String reply) {
        this.rcptReply = reply;
        reset();
        listen();
    }

    /** Keeps the fake server and its connections, with a new reply to RCPT TO from now on. */
    void answerRcpt(String reply) {
        this.rcptReply = reply;
    }

    synchronized void down() {
        ServerSocket s = server;
        server = null;
        closeQuietly(s);
        reset();
    }

    @Override
    public synchronized void close() {
        down();
        delays.shutdownNow();
    }

    private void reset() {
        open.forEach(SmtpGate::closeQuietly);
        open.clear();
        clients.clear();
        connections.set(0);
        rcpts.set(0);
    }

    private void listen() {
        if (server != null) {
            return;
        }
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            server = s;
            Thread acceptor = new Thread(() -> accept(s), "smtp-gate-accept-" + port);
            acceptor.setDaemon(true);
            acceptor.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                open.add(client);
                clients.add(client);
                connections.incrementAndGet();
                if (rcptReply != null) {
                    daemon(() -> fakeSmtp(client), "smtp-gate-fake");
                } else if (delayMillis > 0) {
                    delays.schedule(() -> relay(client), delayMillis, TimeUnit.MILLISECONDS);
                } else {
                    relay(client);
                }
            } catch (IOException e) {
                // closed by down() or a mode change
            }
        }
    }

    private void relay(Socket client) {
        try {
            Socket upstream = new Socket("127.0.0.1", upstreamPort.getAsInt());
            open.add(upstream);
            pump(client, upstream);
            pump(upstream, client);
        } catch (IOException e) {
            closeQuietly(client);
        }
    }

    /** Just enough SMTP for JavaMail: RCPT TO gets the configured reply; the data of an accepted one is taken. */
    private void fakeSmtp(Socket client) {
        try (client;
             BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
             Writer out = new OutputStreamWriter(client.getOutputStream(), StandardCharsets.US_ASCII)) {
            send(out, "220 smtp-gate ESMTP");
            String line;
            while ((line = in.readLine()) != null) {
                String verb = line.length() < 4 ? line.toUpperCase(Locale.ROOT) : line.substring(0, 4).toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> send(out, "250-smtp-gate\r\n250 8BITMIME");
                    case "HELO", "MAIL", "RSET", "NOOP" -> send(out, "250 OK");
                    case "RCPT" -> {
                        rcpts.incrementAndGet();
                        send(out, rcptReply);
                    }
                    case "DATA" -> {
                        send(out, "354 go ahead");
                        while ((line = in.readLine()) != null && !line.equals(".")) {
                            // the message is not kept
                        }
                        send(out, "250 queued");
                    }
                    case "QUIT" -> {
                        send(out, "221 bye");
                        return;
                    }
                    default -> send(out, "503 bad sequence of commands");
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void send(Writer out, String reply) throws IOException {
        out.write(reply + "\r\n");
        out.flush();
    }

    private void pump(Socket from, Socket to) {
        daemon(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // connection ended
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "smtp-gate-pump");
    }

    private static void daemon(Runnable task, String name) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
