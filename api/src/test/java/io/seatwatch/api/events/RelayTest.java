package io.seatwatch.api.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.micrometer.core.instrument.MeterRegistry;
import io.seatwatch.api.ApiTestSupport;
import io.seatwatch.testsupport.TcpProxy;
import io.seatwatch.testsupport.RabbitVhost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.data.domain.Range;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

/** The relay against the real RabbitMQ, on a vhost of its own, reached through a TCP proxy. */
@TestPropertySource(properties = "seatwatch.redis.key-prefix=sw:v1:test:relay:")
class RelayTest extends ApiTestSupport {

    static final String EXCHANGE = "seatwatch.events";
    static final String QUEUE = "test.all-events";
    @RegisterExtension
    static final RabbitVhost VHOST = RabbitVhost.forClass("seatwatch-test-relay");
    static final TcpProxy PROXY = new TcpProxy(5672);
    static final CachingConnectionFactory CONNECTIONS = VHOST.connectionFactory();
    static final RabbitAdmin ADMIN = new RabbitAdmin(CONNECTIONS);
    static final RabbitTemplate RABBIT = new RabbitTemplate(CONNECTIONS);
    static final TopicExchange TOPIC = new TopicExchange(EXCHANGE, true, false);
    static final Queue TEST_QUEUE = new Queue(QUEUE, true, false, false);
    static final Binding ALL = BindingBuilder.bind(TEST_QUEUE).to(TOPIC).with("#");

    @BeforeAll
    static void declare() {
        ADMIN.declareExchange(TOPIC);
        ADMIN.declareQueue(TEST_QUEUE);
        ADMIN.declareBinding(ALL);
    }

    @DynamicPropertySource
    static void relay(DynamicPropertyRegistry registry) {
        registry.add("seatwatch.relay.enabled", () -> "true");
        registry.add("spring.rabbitmq.port", PROXY::port);
        registry.add("spring.rabbitmq.virtual-host", VHOST::name);
        registry.add("seatwatch.relay.confirm-timeout", () -> "1s");
        registry.add("seatwatch.relay.reclaim-idle", () -> "2s");
        registry.add("seatwatch.relay.lease-ttl", () -> "3s");
        registry.add("seatwatch.relay.max-attempts", () -> "2");
        registry.add("seatwatch.relay.max-backoff", () -> "500ms");
    }

    @Autowired
    MeterRegistry meters;


    @LocalManagementPort
    int managementPort;

    @AfterAll
    static void cleanUp() {
        PROXY.close();
        CONNECTIONS.destroy();
        VHOST.close();
    }

    @BeforeEach
    void emptyQueue() {
        PROXY.restore();
        ADMIN.declareBinding(ALL);
        ADMIN.purgeQueue(QUEUE, false);
    }

    private static Schema schema(String file) {
        try {
            String text = Files.readString(Path.of("..", "docs", "events", file));
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything on the test queue until {@code expected} messages arrived, then whatever else comes soon after. */
    private List<Message> receive(int expected, Duration within) {
        List<Message> messages = new ArrayList<>();
        await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> {
            Message m;
            while ((m = RABBIT.receive(QUEUE)) != null) {
                messages.add(m);
            }
            return messages.size() >= expected;
        });
        Message late = RABBIT.receive(QUEUE, 500);
        if (late != null) {
            messages.add(late);
        }
        return messages;
    }

    private JsonNode body(Message m) {
        return json.readTree(new String(m.getBody(), StandardCharsets.UTF_8));
    }

    /** A class whose waitlist holds {@code promotions} students behind as many enrolled ones. */
    private record Fixture(String classId, List<String> enrolled, List<String> waiting) {}

    private Fixture fullClass(int promotions) {
        String classId = createClassId(newId("prof"), promotions, promotions);
        List<String> enrolled = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < promotions; i++) {
            String s = newId("s");
            enroll(classId, s).expectStatus().isCreated();
            enrolled.add(s);
        }
        for (int i = 0; i < promotions; i++) {
            String s = newId("w");
            enroll(classId, s).expectStatus().isAccepted();
            waiting.add(s);
        }
        return new Fixture(classId, enrolled, waiting);
    }

    private void awaitOutboxEmpty() {
        await().atMost(Duration.ofSeconds(30)).until(() -> redis.opsForStream().size(keys.outbox()).block() == 0L);
    }

    @Test
    void oneDropPublishesExactlyOneMessageThatMatchesTheSchemaWithChannelsAndNoSecret() {
        Fixture f = fullClass(1);
        String promoted = f.waiting().get(0);
        String subscription = keys.prefix() + "subscription:" + promoted + ":" + f.classId();
        redis.opsForHash().putAll(subscription, Map.of("email", promoted + "@example.edu", "emailStatus", "ACTIVE",
                "webhookUrl", "https://hooks.example.edu/seatwatch", "webhookStatus", "ACTIVE",
                "webhookSecret", "ENCRYPTED-SECRET-MUST-NOT-TRAVEL")).block();
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

        http.delete().uri("/classes/{c}/enrollments/{s}", f.classId(), f.enrolled().get(0))
                .header("Authorization", "Bearer " + student(f.enrolled().get(0))).header("traceparent", traceparent)
                .exchange().expectStatus().isNoContent();

        List<Message> messages = receive(1, Duration.ofSeconds(20));
        assertThat(messages).hasSize(1);
        Message m = messages.get(0);
        String raw = new String(m.getBody(), StandardCharsets.UTF_8);
        JsonNode event = body(m);
        assertThat(schema("enrollment-promoted.v1.schema.json").validate(event)).isEmpty();
        assertThat(event.path("type").asString()).isEqualTo("EnrollmentPromoted");
        assertThat(event.path("studentId").asString()).isEqualTo(promoted);
        assertThat(event.path("classId").asString()).isEqualTo(f.classId());
        assertThat(event.path("cause").asString()).isEqualTo("STUDENT_DROP");
        assertThat(event.path("email").asString()).isEqualTo(promoted + "@example.edu");
        assertThat(event.path("webhookUrl").asString()).isEqualTo("https://hooks.example.edu/seatwatch");
        // The request's trace reaches the broker unchanged in the body and in the header consumers extract it
        // from (the binding template's own observation would otherwise replace the header with a new trace).
        assertThat(event.path("traceparent").asString()).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-");
        assertThat((String) m.getMessageProperties().getHeader("traceparent")).isEqualTo(event.path("traceparent").asString());
        assertThat(event.path("sequence").isIntegralNumber()).isTrue();
        assertThat(raw).doesNotContain("MUST-NOT-TRAVEL").doesNotContain("whsec_").doesNotContain("webhookSecret");
        assertThat(m.getMessageProperties().getMessageId()).isEqualTo(event.path("eventId").asString());
        assertThat(m.getMessageProperties().getReceivedRoutingKey()).isEqualTo("EnrollmentPromoted");
        assertThat((String) m.getMessageProperties().getHeader("eventType")).isEqualTo("EnrollmentPromoted");
        assertThat(m.getMessageProperties().getContentType()).startsWith("application/json");
        assertThat(m.getMessageProperties().getReceivedDeliveryMode())
                .isEqualTo(org.springframework.amqp.core.MessageDeliveryMode.PERSISTENT);

        awaitOutboxEmpty();
        assertThat(redis.opsForStream().pending(keys.outbox(), OutboxRelay.GROUP).block().getTotalPendingMessages()).isZero();
        assertThat(meters.counter("seatwatch.relay.confirmed").count()).isPositive();
    }

    @Test
    void aPromotionWithoutSubscriptionIsPublishedWithoutChannels() {
        Fixture f = fullClass(1);
        drop(f.classId(), f.enrolled().get(0), student(f.enrolled().get(0))).expectStatus().isNoContent();
        JsonNode event = body(receive(1, Duration.ofSeconds(20)).get(0));
        assertThat(schema("enrollment-promoted.v1.schema.json").validate(event)).isEmpty();
        assertThat(event.has("email")).isFalse();
        assertThat(event.has("webhookUrl")).isFalse();
    }

    @Test
    void promotionsArriveInPerClassSequenceOrder() {
        List<Fixture> classes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            classes.add(fullClass(20));
        }
        // Drops of different classes interleave; within a class they run one after another.
        Flux.fromIterable(classes)
                .flatMap(f -> Flux.fromIterable(f.enrolled()).concatMap(s -> reactor.core.publisher.Mono.fromRunnable(() ->
                        drop(f.classId(), s, student(s)).expectStatus().isNoContent())
                        .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic())), 5)
                .blockLast(Duration.ofMinutes(2));

        List<JsonNode> events = receive(100, Duration.ofSeconds(60)).stream().map(this::body).toList();
        assertThat(events).hasSize(100);
        assertThat(events.stream().map(e -> e.path("eventId").asString()).distinct().count()).isEqualTo(100);
        Map<String, List<Long>> sequences = events.stream().collect(Collectors.groupingBy(
                e -> e.path("classId").asString(), Collectors.mapping(e -> e.path("sequence").asLong(), Collectors.toList())));
        assertThat(sequences).hasSize(5);
        sequences.values().forEach(seq -> assertThat(seq).hasSize(20).isSorted().doesNotHaveDuplicates());
        for (Fixture f : classes) {
            assertThat(events.stream().filter(e -> e.path("classId").asString().equals(f.classId()))
                    .map(e -> e.path("studentId").asString())).containsExactlyElementsOf(f.waiting());
        }
        awaitOutboxEmpty();
    }

    @Test
    void aBrokerOutageLosesNothingAndDropsKeepWorking() {
        List<Fixture> classes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            classes.add(fullClass(50));
        }
        long deadBefore = redis.opsForStream().size(keys.outboxDead()).block();
        PROXY.cut();
        for (Fixture f : classes) {
            for (String s : f.enrolled()) {
                drop(f.classId(), s, student(s)).expectStatus().isNoContent();
            }
        }
        assertThat(redis.opsForStream().size(keys.outbox()).block()).isEqualTo(200L);
        assertThat(RABBIT.receive(QUEUE)).isNull();
        // Readiness follows Redis, not the broker.
        WebTestClient.bindToServer().baseUrl("http://localhost:" + managementPort).build()
                .get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();

        PROXY.restore();

        List<JsonNode> events = receive(200, Duration.ofSeconds(60)).stream().map(this::body).toList();
        Map<String, Long> perEventId = events.stream().collect(Collectors.groupingBy(e -> e.path("eventId").asString(),
                Collectors.counting()));
        assertThat(perEventId).hasSize(200);
        assertThat(perEventId.values()).containsOnly(1L);
        List<String> expected = classes.stream().flatMap(f -> f.waiting().stream()).sorted().toList();
        assertThat(events.stream().map(e -> e.path("studentId").asString()).sorted().toList()).isEqualTo(expected);
        awaitOutboxEmpty();
        assertThat(redis.opsForStream().size(keys.outboxDead()).block()).isEqualTo(deadBefore);
        assertThat(meters.counter("seatwatch.relay.broker.failures").count()).isPositive();
    }

    @Test
    void anEmailConfirmationRequestIsPublishedAndMatchesItsSchema() {
        String classId = createClassId(newId("prof"), 5, 5);
        String s = newId("s");
        http.put().uri("/students/{s}/subscriptions/{c}", s, classId).header("Authorization", "Bearer " + student(s))
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("email", s + "@elsewhere.example.org"))
                .exchange().expectStatus().isCreated();

        Message m = receive(1, Duration.ofSeconds(20)).get(0);
        JsonNode event = body(m);
        assertThat(schema("email-confirmation-requested.v1.schema.json").validate(event)).isEmpty();
        assertThat(event.path("email").asString()).isEqualTo(s + "@elsewhere.example.org");
        assertThat(event.path("confirmationUrl").asString()).contains("/api/v1/email-confirmations/");
        assertThat(m.getMessageProperties().getReceivedRoutingKey()).isEqualTo("EmailConfirmationRequested");
    }

    @Test
    void outboxGaugesAreRegistered() {
        assertThat(meters.find("seatwatch.outbox.length").gauge()).isNotNull();
        assertThat(meters.find("seatwatch.outbox.oldest.age").gauge()).isNotNull();
        assertThat(meters.find("seatwatch.outbox.dead.length").gauge()).isNotNull();
        assertThat(meters.find("seatwatch.relay.leader").gauge().value()).isEqualTo(1.0);
        assertThat(meters.find("seatwatch.relay.lease.held").gauge()).isNotNull();
    }

    @Test
    void anUnroutableEventIsRetriedThenDeadLetteredWithItsCause() {
        ADMIN.removeBinding(ALL);
        Fixture f = fullClass(1);
        long deadBefore = redis.opsForStream().size(keys.outboxDead()).block();
        drop(f.classId(), f.enrolled().get(0), student(f.enrolled().get(0))).expectStatus().isNoContent();

        await().atMost(Duration.ofSeconds(30)).until(() -> redis.opsForStream().size(keys.outboxDead()).block() == deadBefore + 1);
        awaitOutboxEmpty();
        var dead = redis.opsForStream().range(keys.outboxDead(), Range.unbounded()).collectList().block();
        Map<Object, Object> entry = new HashMap<>(dead.get(dead.size() - 1).getValue());
        assertThat(entry).containsEntry("studentId", f.waiting().get(0)).containsEntry("attempts", "2");
        assertThat((String) entry.get("lastError")).contains("unroutable");
        assertThat(meters.counter("seatwatch.relay.refused", "kind", "unroutable").count()).isGreaterThanOrEqualTo(2);
        assertThat(meters.counter("seatwatch.relay.dead").count()).isGreaterThanOrEqualTo(1);
        ADMIN.declareBinding(ALL);
        assertThat(RABBIT.receive(QUEUE, 200)).isNull();
    }
}
