package io.seatwatch.testsupport;

import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * A RabbitMQ virtual host of one test class on the shared local broker (127.0.0.1:5672, guest), so tests never
 * see each other's exchanges and queues. Vhosts are managed through the management API when it answers
 * ({@code SEATWATCH_TEST_RABBIT_MANAGEMENT_URL}, default http://127.0.0.1:15672), else with rabbitmqctl when
 * this user may run it; the choice is made once per JVM.
 *
 * <p>A test class's own vhost is best a static {@code @RegisterExtension} field made with {@link #forClass}: it is
 * made before the class's {@code @BeforeAll} methods, and where no vhost can be made the class fails with the one
 * sentence that says what to do, instead of an error in a static initializer or a Spring context that buries it.
 */
public final class RabbitVhost implements AutoCloseable, BeforeAllCallback {

    private final String name;
    private final VhostAdmin admin;
    private final int amqpPort;
    private CachingConnectionFactory connections;
    private boolean made;

    private RabbitVhost(String name, VhostAdmin admin, int amqpPort) {
        this.name = name;
        this.admin = admin;
        this.amqpPort = amqpPort;
    }

    /** A fresh vhost: deleted first if an earlier run left it. */
    public static RabbitVhost create(String name) {
        return create(name, Local.ADMIN, 5672);
    }

    static RabbitVhost create(String name, VhostAdmin admin, int amqpPort) {
        RabbitVhost vhost = new RabbitVhost(name, admin, amqpPort);
        vhost.make();
        return vhost;
    }

    /**
     * A vhost made when the test class starts (as a JUnit extension, before its {@code @BeforeAll} methods); until
     * then only its name and an unconnected connection factory are available.
     */
    public static RabbitVhost forClass(String name) {
        return new RabbitVhost(name, Local.ADMIN, 5672);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        make();
    }

    private synchronized void make() {
        if (!made) {
            admin.recreate(name);
            made = true;
        }
    }

    public String name() {
        return name;
    }

    /** Connections to this vhost for the test's own queues (direct, not through any proxy); closed by close(). */
    public synchronized CachingConnectionFactory connectionFactory() {
        if (connections == null) {
            connections = new CachingConnectionFactory("127.0.0.1", amqpPort);
            connections.setUsername("guest");
            connections.setPassword("guest");
            connections.setVirtualHost(name);
        }
        return connections;
    }

    /** Queue name to type ({@code quorum}, {@code classic}) as the broker reports them. */
    public Map<String, String> queueTypes() {
        return admin.queueTypes(name);
    }

    /**
     * Closes every client connection to this vhost from the broker's side, as a broker that shuts down or restarts
     * does; returns how many there were.
     */
    public int closeConnections(String reason) {
        return admin.closeConnections(name, reason);
    }

    @Override
    public synchronized void close() {
        if (connections != null) {
            connections.destroy();
        }
        admin.delete(name);
    }

    /** The management API when it answers, else rabbitmqctl when it works, else one that fails saying what to do. */
    static VhostAdmin probe(ManagementApi api, Rabbitmqctl rabbitmqctl) {
        String apiProblem = api.problem();
        if (apiProblem == null) {
            return api;
        }
        String rabbitmqctlProblem = rabbitmqctl.problem();
        if (rabbitmqctlProblem == null) {
            return rabbitmqctl;
        }
        return new Unavailable("RabbitMQ tests cannot create their vhosts: the management API at " + api.url()
                + " " + apiProblem + " and " + rabbitmqctlProblem + "; enable the management plugin, as root"
                + " (su - -c 'rabbitmq-plugins enable rabbitmq_management', or with sudo), so that " + api.url()
                + " answers for the user " + api.user() + " (or set SEATWATCH_TEST_RABBIT_MANAGEMENT_URL to one"
                + " that does), or run the tests as a user allowed to run rabbitmqctl (root or the rabbitmq user).");
    }

    /**
     * For a test class whose vhost is made elsewhere (a Spring context initializer, say): fails the class, before
     * anything else tries the broker, with the sentence that says what to do when no vhost can be made.
     */
    public static final class Required implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            if (Local.ADMIN instanceof Unavailable unavailable) {
                throw new IllegalStateException(unavailable.reason());
            }
        }
    }

    /** Probed on first use only, so unit tests that need no broker pay nothing. */
    private static final class Local {
        static final VhostAdmin ADMIN = probe(new ManagementApi(setting("management-url", "http://127.0.0.1:15672"),
                setting("management-user", "guest"), setting("management-password", "guest")),
                new Rabbitmqctl("rabbitmqctl"));

        /** System property seatwatch.test.rabbit.NAME, else environment variable SEATWATCH_TEST_RABBIT_NAME. */
        private static String setting(String name, String defaultValue) {
            String value = System.getProperty("seatwatch.test.rabbit." + name);
            if (value == null || value.isBlank()) {
                value = System.getenv("SEATWATCH_TEST_RABBIT_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
            }
            return value == null || value.isBlank() ? defaultValue : value;
        }
    }

    private record Unavailable(String reason) implements VhostAdmin {

        @Override
        public void recreate(String vhost) {
            throw new IllegalStateException(reason);
        }

        @Override
        public void delete(String vhost) {
            throw new IllegalStateException(reason);
        }

        @Override
        public Map<String, String> queueTypes(String vhost) {
            throw new IllegalStateException(reason);
        }

        @Override
        public int closeConnections(String vhost, String reason) {
            throw new IllegalStateException(this.reason);
        }
    }
}
