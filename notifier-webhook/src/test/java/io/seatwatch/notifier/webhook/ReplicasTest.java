package io.seatwatch.notifier.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.seatwatch.notifier.webhook.delivery.DeliveryScheduler;
import io.seatwatch.testsupport.TcpProxy;
import io.seatwatch.webhooks.DeliveryKeys;
import io.seatwatch.webhooks.WebhookSecretCipher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Two replicas on one queue and one Redis schedule: every event delivered once, and nothing lost when one dies. */
class ReplicasTest {

    static final String PREFIX = "sw:v1:test:webhook-replicas:";

    private TestBroker broker;
    private Replicas replicas;
    private Receiver receiver;

    @BeforeEach
    void setUp() {
        broker = TestBroker.vhost("seatwatch-test-webhook-replicas");
        receiver = new Receiver();
    }

    @AfterEach
    void tearDown() {
        if (replicas != null) {
            replicas.running().findFirst().ifPresent(app ->
                    NotifierTestSupport.wipe(app.getBean(ReactiveStringRedisTemplate.class), PREFIX));
            replicas.close();
        }
        receiver.close();
        broker.close();
    }

    private record World(ReactiveStringRedisTemplate redis, DeliveryKeys keys, WebhookSecretCipher cipher, JsonMapper json) {
        static World of(ConfigurableApplicationContext context) {
            return new World(context.getBean(ReactiveStringRedisTemplate.class), context.getBean(DeliveryKeys.class),
                    context.getBean(WebhookSecretCipher.class), context.getBean(JsonMapper.class));
        }

        /** A subscribed student and their promotion event. */
        Map<String, Object> promotion(String url) {
            String studentId = "s-" + UUID.randomUUID().toString().substring(0, 12);
            String classId = "c1";
            redis.opsForHash().putAll(keys.subscription(studentId, classId), Map.of("webhookUrl", url,
                    "webhookStatus", "ACTIVE", "webhookSecret", cipher.encrypt(cipher.newSecret(), studentId, classId))).block();
            Map<String, Object> event = new HashMap<>(Map.of("type", "EnrollmentPromoted", "eventId", UUID.randomUUID().toString(),
                    "sequence", 1, "occurredAt", Instant.now().toString(), "classId", classId, "department", "CPSC",
                    "courseCode", "449", "section", "01", "title", "Back-end", "studentId", studentId));
            event.put("cause", "UNFREEZE");
            event.put("webhookUrl", url);
            return event;
        }

        List<JsonNode> attempts(String eventId) {
            List<JsonNode> out = new ArrayList<>();
            redis.opsForList().range(keys.attempts(eventId), 0, -1).map(s -> (JsonNode) json.readTree(s)).toIterable().forEach(out::add);
            return out;
        }
    }

    private void publish(World world, Map<String, Object> event) {
        broker.publish(NotifierTestSupport.EXCHANGE, "EnrollmentPromoted", (String) event.get("eventId"),
                world.json().writeValueAsBytes(event));
    }

    @Test
    void afterTheBrokerDiedAndCameBackTheNextPromotionIsDeliveredWithinASecond() {
        try (TcpProxy brokerPath = new TcpProxy(5672)) {
            // One consumer, so that one failed attempt below means the whole app is waiting to try again.
            replicas = new Replicas(PREFIX, broker, "spring.rabbitmq.port=" + brokerPath.port(),
                    "spring.cloud.stream.bindings.webhook-in-0.consumer.concurrency=1");
            World world = World.of(replicas.start());
            NotifierTestSupport.wipe(world.redis(), PREFIX);
            publish(world, world.promotion(receiver.url()));
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.count() == 1);

            // The broker dies: the app's connection drops, and its consumer tries to come back and fails.
            brokerPath.cut();
            await().atMost(Duration.ofSeconds(20)).until(() -> brokerPath.attemptsWhileCut() >= 1);
            brokerPath.restore();
            // Published straight to the broker: it waits in the queue for the consumer.
            publish(world, world.promotion(receiver.url()));
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() -> receiver.count() == 2);
        }
    }

    @Test
    void twoReplicasDeliverTwoHundredEventsEachExactlyOnce() {
        // A generous attempt timeout: a late answer would (rightly) be retried, and 200 at once load this machine.
        replicas = new Replicas(PREFIX, broker, "seatwatch.webhooks.retry-schedule=100ms",
                "seatwatch.webhooks.attempt-timeout=10s", "seatwatch.webhooks.lease-ttl=20s");
        ConfigurableApplicationContext a = replicas.start();
        World world = World.of(a);
        NotifierTestSupport.wipe(world.redis(), PREFIX);
        ConfigurableApplicationContext b = replicas.start();

        List<String> eventIds = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Map<String, Object> event = world.promotion(receiver.url());
            eventIds.add((String) event.get("eventId"));
            publish(world, event);
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.count() >= 200);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 200);
        Map<String, Long> perId = receiver.requests().stream()
                .collect(Collectors.groupingBy(r -> r.header("webhook-id"), Collectors.counting()));
        assertThat(perId.keySet()).containsExactlyInAnyOrderElementsOf(eventIds);
        assertThat(perId.values()).containsOnly(1L);

        // Both replicas took part, and every delivery is recorded as delivered at its one attempt.
        Set<String> by = eventIds.stream().map(id -> world.attempts(id)).peek(list -> assertThat(list).hasSize(1))
                .map(list -> list.get(0).path("by").asString()).collect(Collectors.toSet());
        assertThat(by).containsExactlyInAnyOrder(a.getBean(DeliveryScheduler.class).owner(), b.getBean(DeliveryScheduler.class).owner());
        assertThat(world.redis().opsForZSet().size(world.keys().due()).block()).isZero();
    }

    @Test
    void whenTheReplicaThatMadeTheFirstAttemptDiesTheOtherMakesTheNext() {
        // Five seconds between attempts: time enough to kill (close) the replica in between.
        replicas = new Replicas(PREFIX, broker, "seatwatch.webhooks.retry-schedule=5s", "seatwatch.webhooks.retry-jitter=0");
        ConfigurableApplicationContext a = replicas.start();
        World world = World.of(a);
        NotifierTestSupport.wipe(world.redis(), PREFIX);
        ConfigurableApplicationContext b = replicas.start();
        receiver.respond(Receiver.status(503));

        Map<String, Object> event = world.promotion(receiver.url());
        String eventId = (String) event.get("eventId");
        publish(world, event);
        await().atMost(Duration.ofSeconds(10)).until(() -> world.attempts(eventId).size() == 1);
        String first = world.attempts(eventId).get(0).path("by").asString();
        ConfigurableApplicationContext firstReplica = a.getBean(DeliveryScheduler.class).owner().equals(first) ? a : b;
        ConfigurableApplicationContext other = firstReplica == a ? b : a;
        String survivor = other.getBean(DeliveryScheduler.class).owner();
        // The survivor's Redis connection: the killed replica's one closes with it.
        World live = World.of(other);
        replicas.kill(firstReplica);
        assertThat(receiver.count()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(15)).until(() -> receiver.count() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> live.attempts(eventId).size() == 2);
        List<JsonNode> attempts = live.attempts(eventId);
        assertThat(attempts.get(0).path("outcome").asString()).isEqualTo("FAILURE");
        assertThat(attempts.get(1).path("outcome").asString()).isEqualTo("SUCCESS");
        assertThat(attempts.get(1).path("by").asString()).isEqualTo(survivor).isNotEqualTo(first);
        assertThat(receiver.requests()).extracting(r -> r.header("webhook-id")).containsOnly(eventId);
        assertThat(live.redis().opsForHash().get(live.keys().delivery(eventId), "status").block()).isEqualTo("DELIVERED");
    }
}
