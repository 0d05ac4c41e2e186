package io.seatwatch.api;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * A RabbitMQ virtual host of one test class on the shared local broker, created and deleted with
 * {@code rabbitmqctl}: tests never see each other's exchanges and queues.
 */
public final class RabbitVhost implements AutoCloseable {

    private final String name;

    private RabbitVhost(String name) {
        this.name = name;
    }

    public static RabbitVhost create(String name) {
        run("rabbitmqctl", "-q", "delete_vhost", name);
        run("rabbitmqctl", "-q", "add_vhost", name);
        run("rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*");
        return new RabbitVhost(name);
    }

    public String name() {
        return name;
    }

    /** A connection factory on this vhost for the test's own queues (direct, not through any proxy). */
    public CachingConnectionFactory connectionFactory() {
        CachingConnectionFactory cf = new CachingConnectionFactory("127.0.0.1", 5672);
        cf.setUsername("guest");
        cf.setPassword("guest");
        cf.setVirtualHost(name);
        return cf;
    }

    @Override
    public void close() {
        run("rabbitmqctl", "-q", "delete_vhost", name);
    }

    private static void run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            if (p.exitValue() != 0 && !command[2].equals("delete_vhost")) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("rabbitmqctl is needed for RabbitMQ tests", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
