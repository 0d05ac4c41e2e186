package io.seatwatch.notifier.webhook;

import io.seatwatch.testsupport.RabbitVhost;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * A vhost of one test class on the local RabbitMQ (a {@link RabbitVhost}), with a template to publish events
 * as the api's relay does and to read queues. Test code only: the notifier itself has no RabbitMQ types.
 */
public final class TestBroker implements AutoCloseable {

    private final RabbitVhost vhost;
    private final RabbitTemplate rabbit;

    private TestBroker(RabbitVhost vhost) {
        this.vhost = vhost;
        this.rabbit = new RabbitTemplate(vhost.connectionFactory());
    }

    /** A fresh vhost: deleted first if an earlier run left it. */
    public static TestBroker vhost(String name) {
        return new TestBroker(RabbitVhost.create(name));
    }

    public String name() {
        return vhost.name();
    }

    /** Publishes an event the way the api's relay does: routing key = type, eventId as message-id and header. */
    public void publish(String exchange, String type, String eventId, byte[] body) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType("application/json");
        properties.setMessageId(eventId);
        properties.setHeader("eventType", type);
        properties.setHeader("eventId", eventId);
        properties.setHeader("schemaVersion", "1");
        rabbit.send(exchange, type, new Message(body, properties));
    }

    /** Declares a durable classic queue without arguments (what an older version might have left). */
    public void declareClassicQueue(String queue) {
        new RabbitAdmin(vhost.connectionFactory()).declareQueue(new Queue(queue, true, false, false));
    }

    /** The next message on a queue, or null. */
    public Message receive(String queue) {
        return rabbit.receive(queue);
    }

    public static String text(Message message) {
        return new String(message.getBody(), StandardCharsets.UTF_8);
    }

    public static Map<String, Object> headers(Message message) {
        return message.getMessageProperties().getHeaders();
    }

    /** {@code name type} of every queue of this vhost, one line each. */
    public String queues() {
        return vhost.queueTypes().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining("\n"));
    }

    @Override
    public void close() {
        vhost.close();
    }
}
