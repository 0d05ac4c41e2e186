package io.seatwatch.notifier.email;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * A RabbitMQ virtual host of one test on the shared local broker (127.0.0.1:5672, guest), made and removed
 * with {@code rabbitmqctl}, so tests never see each other's exchanges and queues; it also reports the
 * queues' types as the broker has them.
 */
final class RabbitVhost implements AutoCloseable {

    private final String name;
    private CachingConnectionFactory connections;

    private RabbitVhost(String name) {
        this.name = name;
    }

    static RabbitVhost create(String name) {
        rabbitmqctl(true, "delete_vhost", name);
        rabbitmqctl(false, "add_vhost", name);
        rabbitmqctl(false, "set_permissions", "-p", name, "guest", ".*", ".*", ".*");
        return new RabbitVhost(name);
    }

    String name() {
        return name;
    }

    /** Connections to this vhost for the test's own publishing and inspection (created once). */
    synchronized CachingConnectionFactory connectionFactory() {
        if (connections == null) {
            connections = new CachingConnectionFactory("127.0.0.1", 5672);
            connections.setUsername("guest");
            connections.setPassword("guest");
            connections.setVirtualHost(name);
        }
        return connections;
    }

    /** Queue name to type ({@code quorum}, {@code classic}) as the broker reports them. */
    Map<String, String> queueTypes() {
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : rabbitmqctl(false, "list_queues", "-p", name, "--no-table-headers", "name", "type")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length == 2) {
                types.put(cols[0], cols[1]);
            }
        }
        return types;
    }

    @Override
    public synchronized void close() {
        if (connections != null) {
            connections.destroy();
        }
        rabbitmqctl(true, "delete_vhost", name);
    }

    private static List<String> rabbitmqctl(boolean mayFail, String... args) {
        List<String> command = new ArrayList<>(List.of("rabbitmqctl", "-q"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            if (p.exitValue() != 0 && !mayFail) {
                throw new IllegalStateException(command + " failed: " + output);
            }
            return output.lines().toList();
        } catch (IOException e) {
            throw new IllegalStateException("rabbitmqctl is needed for the RabbitMQ tests", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
