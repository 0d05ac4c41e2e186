package io.seatwatch.bench.restart;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.DefaultExceptionHandler;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A queue of the bench's own bound to the events exchange, which tells when each promotion reached the broker: the
 * time between the broker's return and the notification splits into the relay's part and the notifier's. The queue
 * is exclusive, so it dies with every restart and is declared again the moment the broker answers; a promotion the
 * relay published before that is not seen (the report shows –).
 */
final class Tap implements AutoCloseable {

    private static final Pattern STUDENT = Pattern.compile("\"studentId\":\"(b-[a-z0-9]+-\\d+)\"");

    /** Promoted student → System.nanoTime() when the event was delivered here (the first copy). */
    final Map<String, Long> publishedAt = new ConcurrentHashMap<>();

    private final int port;
    private Connection connection;

    Tap(int port) {
        this.port = port;
    }

    synchronized void connect() throws Exception {
        close();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(port);
        factory.setAutomaticRecoveryEnabled(false);
        // A kill -9 of the node resets this connection every time: expected, not worth a warning on the console.
        factory.setExceptionHandler(new DefaultExceptionHandler() {
            @Override
            public void handleUnexpectedConnectionDriverException(Connection conn, Throwable exception) {
            }
        });
        connection = factory.newConnection("seatwatch-bench-restart-tap");
        Channel channel = connection.createChannel();
        String queue = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.queueBind(queue, "seatwatch.events", "EnrollmentPromoted");
        channel.basicConsume(queue, true, (tag, delivery) -> {
            long now = System.nanoTime();
            Matcher m = STUDENT.matcher(new String(delivery.getBody(), StandardCharsets.UTF_8));
            if (m.find()) {
                publishedAt.putIfAbsent(m.group(1), now);
            }
        }, tag -> { });
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.abort(1000);
            } catch (RuntimeException e) {
                // already gone with the broker
            }
            connection = null;
        }
    }
}
