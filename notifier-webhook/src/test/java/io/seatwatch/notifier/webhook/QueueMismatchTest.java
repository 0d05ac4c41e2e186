package io.seatwatch.notifier.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A queue left from an older version with other arguments (classic, no dead-letter queue): RabbitMQ refuses
 * the declaration of the quorum queue, and the app must not look ready while it consumes the old queue.
 */
class QueueMismatchTest {

    @Test
    void aQueueWithOtherArgumentsMakesReadinessFail() {
        try (TestBroker broker = TestBroker.vhost("seatwatch-test-webhook-mismatch");
             Replicas replicas = new Replicas("sw:v1:test:webhook-mismatch:", broker)) {
            broker.declareClassicQueue("seatwatch.events.webhook");

            ConfigurableApplicationContext app = replicas.start();
            String port = app.getEnvironment().getProperty("local.server.port");
            WebTestClient client = WebTestClient.bindToServer().baseUrl("http://localhost:" + port).build();
            client.get().uri("/actuator/health/readiness").exchange().expectStatus().isEqualTo(503)
                    .expectBody().jsonPath("$.status").isEqualTo("DOWN");
            // Liveness is not affected: restarting would not help.
            client.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
            assertThat(app.getBean("brokerDeclarations", HealthIndicator.class).health().getDetails().get("refused"))
                    .asString().contains("PRECONDITION_FAILED").contains("seatwatch.events.webhook");
        }
    }
}
