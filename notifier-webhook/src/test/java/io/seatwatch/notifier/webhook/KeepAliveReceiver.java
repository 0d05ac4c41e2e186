package io.seatwatch.notifier.webhook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver that keeps HTTP/1.1 connections alive the way a small real one does (Python's
 * {@code ThreadingHTTPServer} with {@code protocol_version = "HTTP/1.1"}): a thread per connection, the request
 * body read in full, then {@code 200} with {@code Content-Length: 2}, the status line and headers written before
 * the body and in a separate write. It never closes a connection itself, and it records which connection each
 * request came on and when the client closed one. {@link #respond} queues other answers, e.g. a body that
 * only comes when the test releases it.
 */
public final class KeepAliveReceiver implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "keep-alive-receiver");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Integer> closedByClient = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public KeepAliveReceiver() {
        try {
            server = new ServerSocket(0, 200, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads.execute(this::accept);
    }

    /** How one request is answered. */
    public record Answer(int status, byte[] body, long headersDelayMs, CountDownLatch bodyReleased) {

        public static Answer ok() {
            return new Answer(200, "ok".getBytes(StandardCharsets.US_ASCII), 0, null);
        }

        /** The status line and headers now, the 2-byte body only once {@code release} is counted down. */
        public static Answer bodyWhenReleased(int status, CountDownLatch release) {
            return new Answer(status, "ok".getBytes(StandardCharsets.US_ASCII), 0, release);
        }

        /** Status and headers after {@code delayMs} (the receiver's own processing time), then the body. */
        public static Answer after(long delayMs, int status) {
            return new Answer(status, "ok".getBytes(StandardCharsets.US_ASCII), delayMs, null);
        }

        public static Answer withBody(int status, byte[] body) {
            return new Answer(status, body, 0, null);
        }
    }

    /** The next requests get these answers, in order; then every request gets {@link Answer#ok()}. */
    public KeepAliveReceiver respond(Answer... next) {
        answers.addAll(List.of(next));
        return this;
    }

    public int port() {
        return server.getLocalPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port() + "/hook";
    }

    public List<Received> requests() {
        return new ArrayList<>(received);
    }

    public int count() {
        return received.size();
    }

    /** TCP connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** The numbers (from 1) of the connections the client closed. */
    public List<Integer> closedByClient() {
        return new ArrayList<>(closedByClient);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                int number = connections.incrementAndGet();
                threads.execute(() -> serve(socket, number));
            } catch (IOException e) {
                if (!closed) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private void serve(Socket socket, int connection) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            int onConnection = 0;
            while (true) {
                String requestLine = line(in);
                if (requestLine == null) {
                    closedByClient.add(connection);
                    return;
                }
                Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                    int colon = header.indexOf(':');
                    headers.put(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
                }
                byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("Content-Length", "0")));
                Answer answer = answers.poll();
                answer = answer == null ? Answer.ok() : answer;
                received.add(new Received(requestLine, headers, new String(body, StandardCharsets.UTF_8), connection,
                        ++onConnection, System.nanoTime()));
                if (answer.headersDelayMs() > 0
                        && !awaitUnlessClosed(socket, in, new CountDownLatch(1), answer.headersDelayMs())) {
                    closedByClient.add(connection);
                    return;
                }
                String head = "HTTP/1.1 " + answer.status() + " Whatever\r\nServer: keep-alive-receiver\r\n"
                        + "Content-Type: text/plain\r\nContent-Length: " + answer.body().length + "\r\n\r\n";
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (answer.bodyReleased() != null && !awaitUnlessClosed(socket, in, answer.bodyReleased(), Long.MAX_VALUE)) {
                    closedByClient.add(connection);
                    return;
                }
                out.write(answer.body());
                out.flush();
            }
        } catch (SocketException e) {
            // reset by the client, or closed by close()
            if (!closed) {
                closedByClient.add(connection);
            }
        } catch (IOException e) {
            if (!closed) {
                throw new UncheckedIOException(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The receiver being slow: waits until {@code latch} is released or {@code ms} have passed, watching the
     * connection meanwhile; false as soon as the client closes it.
     */
    private static boolean awaitUnlessClosed(Socket socket, InputStream in, CountDownLatch latch, long ms)
            throws IOException, InterruptedException {
        boolean forever = ms == Long.MAX_VALUE;
        long until = forever ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        socket.setSoTimeout(20);
        try {
            while (latch.getCount() > 0 && (forever || System.nanoTime() - until < 0)) {
                try {
                    if (in.read() == -1) {
                        return false;
                    }
                } catch (SocketTimeoutException e) {
                    // still open
                }
            }
            return true;
        } finally {
            socket.setSoTimeout(0);
        }
    }

    /** One CRLF-terminated line, or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        return null;
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        threads.shutdownNow();
    }

    /**
     * One request as received.
     *
     * @param connection the number (from 1) of the connection it came on
     * @param onConnection its number on that connection (1 = the connection's first request)
     */
    public record Received(String requestLine, Map<String, String> headers, String body, int connection,
                           int onConnection, long nanos) {

        public String header(String name) {
            return headers.get(name);
        }
    }
}
