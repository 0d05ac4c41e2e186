package io.seatwatch.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

/** The management API path, against a private node with the plugin (skipped where none can be started). */
class ManagementApiTest {

    static PrivateRabbitNode node;
    static ManagementApi api;

    @BeforeAll
    static void startNode() throws Exception {
        Optional<Path> script = PrivateRabbitNode.serverScript();
        assumeTrue(script.isPresent(), "no rabbitmq-server start script that this user may run");
        StringBuilder why = new StringBuilder();
        node = PrivateRabbitNode.start(script.get(), why);
        assumeTrue(node != null, () -> "a private RabbitMQ node did not start: " + why);
        api = new ManagementApi(node.managementUrl() + "/", "guest", "guest");
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void theProbeChoosesTheManagementApiWhenItAnswers() {
        assertThat(api.problem()).isNull();
        assertThat(RabbitVhost.probe(api, new Rabbitmqctl("/nonexistent/rabbitmqctl"))).isSameAs(api);
    }

    @Test
    void aVhostIsMadeForGuestListedAndDeleted() {
        // "/" and " " must stay inside one path segment.
        String name = "seatwatch-test/support mgmt";
        try (RabbitVhost vhost = RabbitVhost.create(name, api, node.amqpPort)) {
            assertThat(status("/api/vhosts/seatwatch-test%2Fsupport%20mgmt")).isEqualTo(200);
            RabbitAdmin admin = new RabbitAdmin(vhost.connectionFactory());
            admin.declareQueue(QueueBuilder.durable("q.quorum").quorum().build());
            admin.declareQueue(new Queue("q.classic", true, false, false));

            assertThat(vhost.queueTypes()).isEqualTo(Map.of("q.quorum", "quorum", "q.classic", "classic"));
        }
        assertThat(status("/api/vhosts/seatwatch-test%2Fsupport%20mgmt")).isEqualTo(404);
    }

    @Test
    void aLeftoverVhostIsReplaced() {
        try (RabbitVhost first = RabbitVhost.create("seatwatch-test-leftover", api, node.amqpPort)) {
            new RabbitAdmin(first.connectionFactory()).declareQueue(new Queue("left.over"));
            assertThat(first.queueTypes()).containsOnlyKeys("left.over");

            RabbitVhost second = RabbitVhost.create("seatwatch-test-leftover", api, node.amqpPort);
            assertThat(second.queueTypes()).isEmpty();
            second.close();
        }
    }

    @Test
    void clientConnectionsAreClosedFromTheBrokersSide() {
        try (RabbitVhost vhost = RabbitVhost.create("seatwatch-test-close", api, node.amqpPort)) {
            Connection connection = vhost.connectionFactory().createConnection();
            // The API lists a connection once its statistics were first collected (every few seconds).
            await().atMost(Duration.ofSeconds(30)).until(() -> vhost.closeConnections("test restart") == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> !connection.isOpen());
        }
    }

    @Test
    void deletingAMissingVhostIsFine() {
        api.delete("seatwatch-test-never-made");
    }

    private static int status(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(node.managementUrl() + path))
                    .header("Authorization", "Basic "
                            + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
                    .build();
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
