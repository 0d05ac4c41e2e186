package io.seatwatch.notifier.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.seatwatch.webhooks.DeliveryKeys;
import io.seatwatch.webhooks.WebhookSecretCipher;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The same app on another destination, group and vhost through properties alone: it consumes there, declares
 * its quorum queue and dead-letter queue there, and dead-letters there.
 */
class RebindingTest {

    @Test
    void destinationGroupAndVhostAreConfigurationOnly() {
        String prefix = "sw:v1:test:webhook-rebinding:";
        try (TestBroker broker = TestBroker.vhost("seatwatch-test-webhook-rebinding");
             Receiver receiver = new Receiver();
             Replicas replicas = new Replicas(prefix, broker, "seatwatch.webhooks.retry-schedule=100ms",
                     "spring.cloud.stream.bindings.webhook-in-0.destination=campus.promotions",
                     "spring.cloud.stream.bindings.webhook-in-0.group=hooks")) {
            ConfigurableApplicationContext app = replicas.start();
            ReactiveStringRedisTemplate redis = app.getBean(ReactiveStringRedisTemplate.class);
            DeliveryKeys keys = app.getBean(DeliveryKeys.class);
            WebhookSecretCipher cipher = app.getBean(WebhookSecretCipher.class);
            JsonMapper json = app.getBean(JsonMapper.class);
            NotifierTestSupport.wipe(redis, prefix);

            assertThat(broker.queues().lines().map(l -> l.strip().replaceAll("\\s+", " ")))
                    .containsExactlyInAnyOrder("campus.promotions.hooks quorum", "campus.promotions.hooks.dlq quorum");

            receiver.respond(Receiver.status(500), Receiver.status(500));
            String eventId = UUID.randomUUID().toString();
            redis.opsForHash().putAll(keys.subscription("s1", "c1"), Map.of("webhookUrl", receiver.url(),
                    "webhookStatus", "ACTIVE", "webhookSecret", cipher.encrypt(cipher.newSecret(), "s1", "c1"))).block();
            Map<String, Object> event = new LinkedHashMap<>(Map.of("type", "EnrollmentPromoted", "eventId", eventId,
                    "sequence", 3, "occurredAt", Instant.now().toString(), "classId", "c1", "department", "CPSC",
                    "courseCode", "449", "section", "01", "title", "Back-end", "studentId", "s1"));
            event.put("cause", "CAPACITY_INCREASE");
            event.put("webhookUrl", receiver.url());
            broker.publish("campus.promotions", "EnrollmentPromoted", eventId, json.writeValueAsBytes(event));

            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() == 2);
            Message dead = await().atMost(Duration.ofSeconds(10)).until(() -> broker.receive("campus.promotions.hooks.dlq"),
                    m -> m != null);
            assertThat(TestBroker.headers(dead)).containsEntry("eventId", eventId).containsEntry("webhookStatus", "FAILED");
            assertThat(redis.opsForHash().get(keys.subscription("s1", "c1"), "webhookStatus").block()).isEqualTo("FAILING");
            NotifierTestSupport.wipe(redis, prefix);
        }
    }
}
