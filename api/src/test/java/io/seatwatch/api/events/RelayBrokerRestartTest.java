package io.seatwatch.api.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.seatwatch.api.ApiTestSupport;
import io.seatwatch.testsupport.TcpProxy;
import io.seatwatch.testsupport.RabbitVhost;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Promptness after a broker restart, with the relay's production timings (an entry left pending would wait
 * {@code reclaim-idle}, 30 s): the next promotion reaches the broker within a second of its return, whether
 * the relay was idle or kept trying during the outage, and whether the broker closed its connections cleanly or
 * died (the TCP proxy drops every connection and refuses new ones until it is restored).
 */
@TestPropertySource(properties = "seatwatch.redis.key-prefix=sw:v1:test:relay-restart:")
class RelayBrokerRestartTest extends ApiTestSupport {

    static final Duration PROMPT = Duration.ofSeconds(1);
    static final String QUEUE = "test.restart";
    @RegisterExtension
    static final RabbitVhost VHOST = RabbitVhost.forClass("seatwatch-test-relay-restart");
    static final TcpProxy PROXY = new TcpProxy(5672);
    static final CachingConnectionFactory CONNECTIONS = VHOST.connectionFactory();
    static final RabbitTemplate RABBIT = new RabbitTemplate(CONNECTIONS);

    @BeforeAll
    static void declare() {
        RabbitAdmin admin = new RabbitAdmin(CONNECTIONS);
        TopicExchange exchange = new TopicExchange("seatwatch.events", true, false);
        Queue queue = new Queue(QUEUE, true, false, false);
        admin.declareExchange(exchange);
        admin.declareQueue(queue);
        admin.declareBinding(BindingBuilder.bind(queue).to(exchange).with("#"));
    }

    @DynamicPropertySource
    static void relay(DynamicPropertyRegistry registry) {
        registry.add("seatwatch.relay.enabled", () -> "true");
        registry.add("spring.rabbitmq.port", PROXY::port);
        registry.add("spring.rabbitmq.virtual-host", VHOST::name);
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

    /** A warm relay, idle, with its channel open: one promotion published and received. */
    @BeforeEach
    void warm() {
        PROXY.restore();
        new RabbitAdmin(CONNECTIONS).purgeQueue(QUEUE, false);
        List<String> promoted = promote(1);
        assertThat(receive(promoted, Duration.ofSeconds(30))).containsExactlyInAnyOrderElementsOf(promoted);
    }

    /** Drops one enrolled student from each of {@code count} new full classes; the promoted students. */
    private List<String> promote(int count) {
        List<String> promoted = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String classId = createClassId(newId("prof"), 1, 1);
            String enrolled = newId("s");
            String waiting = newId("w");
            enroll(classId, enrolled).expectStatus().isCreated();
            enroll(classId, waiting).expectStatus().isAccepted();
            drop(classId, enrolled, student(enrolled)).expectStatus().isNoContent();
            promoted.add(waiting);
        }
        return promoted;
    }

    /** The promoted students of the events on the test queue, once all of {@code expected} arrived. */
    private List<String> receive(List<String> expected, Duration within) {
        List<String> students = new ArrayList<>();
        await().atMost(within).pollInterval(Duration.ofMillis(20)).until(() -> {
            Message m;
            while ((m = RABBIT.receive(QUEUE)) != null) {
                students.add(json.readTree(new String(m.getBody(), StandardCharsets.UTF_8)).path("studentId").asString());
            }
            return Set.copyOf(students).containsAll(expected);
        });
        return students;
    }

    private String rabbitHealth() {
        byte[] body = WebTestClient.bindToServer().baseUrl("http://localhost:" + managementPort).build()
                .get().uri("/actuator/health/dependencies").exchange().expectBody().returnResult().getResponseBody();
        return json.readTree(body).path("components").path("rabbit").path("status").asString();
    }

    @Test
    void theBrokerClosedTheIdleRelaysConnectionTheNextPromotionArrivesWithinASecond() {
        assertThat(VHOST.closeConnections("broker restart")).isPositive();
        // The relay holds a channel the broker has closed; it must notice before it publishes.
        List<String> promoted = promote(1);
        assertThat(receive(promoted, PROMPT)).containsExactlyElementsOf(promoted);
    }

    @Test
    void afterTheBrokerDiedAndCameBackWhileTheRelayWasIdleTheNextPromotionArrivesWithinASecond() {
        PROXY.cut();
        await().atMost(Duration.ofSeconds(30)).until(() -> rabbitHealth().equals("DOWN"));
        PROXY.restore();
        List<String> promoted = promote(1);
        assertThat(receive(promoted, PROMPT)).containsExactlyElementsOf(promoted);
    }

    @Test
    void promotionsMadeDuringAnOutageArriveWithinASecondOfTheBrokersReturn() {
        double failuresBefore = meters.counter("seatwatch.relay.broker.failures").count();
        PROXY.cut();
        List<String> duringOutage = promote(10);
        // The relay kept trying, long enough for its backoff to reach its longest pause.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> meters.counter("seatwatch.relay.broker.failures").count() >= failuresBefore + 5);
        assertThat(RABBIT.receive(QUEUE)).isNull();

        PROXY.restore();
        List<String> received = receive(duringOutage, PROMPT);
        // Exactly once as receivers judge it: every promotion, and a repeat (a lost confirm) only of one sent.
        assertThat(Set.copyOf(received)).isEqualTo(Set.copyOf(duringOutage));
        List<String> next = promote(1);
        assertThat(receive(next, PROMPT)).containsAll(next);
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.opsForStream().size(keys.outbox()).block() == 0L);
        assertThat(received.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting())).values())
                .allMatch(n -> n <= 2);
    }
}
