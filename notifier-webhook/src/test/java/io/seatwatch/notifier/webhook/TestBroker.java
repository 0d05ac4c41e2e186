package io.seatwatch.notifier.webhook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * A vhost of one test class on the local RabbitMQ (made with rabbitmqctl), with a template to publish events
 * as the api's relay does and to read queues. Test code only: the notifier itself has no RabbitMQ types.
 */
public final class TestBroker implements AutoCloseable {

    private final String vhost;
    private final CachingConnectionFactory connections;
    private final RabbitTemplate rabbit;

    private TestBroker(String vhost) {
        this.vhost = vhost;
        this.connections = new CachingConnectionFactory("127.0.0.1", 5672);
        connections.setUsername("guest");
        connections.setPassword("guest");
        connections.setVirtualHost(vhost);
        this.rabbit = new RabbitTemplate(connections);
    }

    /** A fresh vhost: deleted first if an earlier run left it. */
    public static TestBroker vhost(String name) {
        rabbitmqctl(true, "delete_vhost", name);
        rabbitmqctl(false, "add_vhost", name);
        rabbitmqctl(false, "set_permissions", "-p", name, "guest", ".*", ".*", ".*");
        return new TestBroker(name);
    }

    public String name() {
        return vhost;
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
        new RabbitAdmin(connections).declareQueue(new Queue(queue, true, false, false));
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
        return rabbitmqctl(false, "list_queues", "-q", "-p", vhost, "--no-table-headers", "name", "type");
    }

    @Override
    public void close() {
        connections.destroy();
        rabbitmqctl(true, "delete_vhost", vhost);
    }

    private static String rabbitmqctl(boolean mayFail, String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "rabbitmqctl";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || (process.exitValue() != 0 && !mayFail)) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("rabbitmqctl is needed for the notifier's tests", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
