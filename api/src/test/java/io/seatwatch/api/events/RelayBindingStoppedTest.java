package io.seatwatch.api.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.seatwatch.api.ApiTestSupport;
import io.seatwatch.testsupport.RabbitVhost;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A replica whose relay binding stops is not ready and gives the relay lease up, so that a standby
 * relays instead. (Its own context: a stopped reactive binding does not come back.)
 */
@TestPropertySource(properties = "seatwatch.redis.key-prefix=sw:v1:test:relay-stopped:")
class RelayBindingStoppedTest extends ApiTestSupport {

    @RegisterExtension
    static final RabbitVhost VHOST = RabbitVhost.forClass("seatwatch-test-relay-stopped");

    @DynamicPropertySource
    static void relay(DynamicPropertyRegistry registry) {
        registry.add("seatwatch.relay.enabled", () -> "true");
        registry.add("spring.rabbitmq.virtual-host", VHOST::name);
        registry.add("seatwatch.relay.lease-ttl", () -> "1500ms");
    }

    @Autowired
    BindingsLifecycleController bindings;

    @Autowired
    OutboxRelay relay;

    @LocalManagementPort
    int managementPort;

    @AfterAll
    static void cleanUp() {
        VHOST.close();
    }

    @Test
    void readinessFailsAndTheLeaseIsGivenUpWhenTheRelayBindingStops() {
        WebTestClient management = WebTestClient.bindToServer().baseUrl("http://localhost:" + managementPort).build();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            management.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
            assertThat(redis.opsForValue().get(keys.relayLease()).block()).isEqualTo(relay.owner());
        });

        bindings.changeState("relay-out-0", BindingsLifecycleController.State.STOPPED);

        management.get().uri("/actuator/health/readiness").exchange().expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.status").isEqualTo("DOWN");
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.hasKey(keys.relayLease()).block() == Boolean.FALSE);
    }
}
