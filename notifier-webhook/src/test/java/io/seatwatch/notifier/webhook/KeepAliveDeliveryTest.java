package io.seatwatch.notifier.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

/** Deliveries to a receiver that keeps its HTTP/1.1 connections alive and answers at once. */
@TestPropertySource(properties = "seatwatch.redis.key-prefix=sw:v1:test:webhook-keep-alive:")
class KeepAliveDeliveryTest extends NotifierTestSupport {

    private KeepAliveReceiver keepAlive;

    @BeforeEach
    void startKeepAliveReceiver() {
        keepAlive = new KeepAliveReceiver();
    }

    @AfterEach
    void stopKeepAliveReceiver() {
        keepAlive.close();
    }

    @Test
    void fiveHundredPromotionsAreEachDeliveredOnceAtTheFirstAttemptOverReusedConnections() {
        int n = 500;
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String studentId = newId("s");
            String classId = newId("c");
            subscribe(studentId, classId, keepAlive.url());
            events.add(event(studentId, classId, keepAlive.url()));
        }
        // A promotion every 10 ms: each delivery is done before the next is due, so a few connections carry
        // them all, one request after another, as with one promotion every 0.5 s.
        Flux.interval(Duration.ofMillis(10)).take(n).doOnNext(i -> publish(events.get(i.intValue()))).blockLast();

        await().atMost(seconds(30)).until(() -> keepAlive.count() >= n);
        // Nothing more comes: a retry would be a second request with the same webhook-id.
        await().during(Duration.ofMillis(1500)).atMost(seconds(5)).until(() -> keepAlive.count() == n);

        List<String> eventIds = events.stream().map(e -> (String) e.get("eventId")).toList();
        Map<String, Long> perId = keepAlive.requests().stream()
                .collect(Collectors.groupingBy(r -> r.header("webhook-id"), Collectors.counting()));
        assertThat(perId.keySet()).containsExactlyInAnyOrderElementsOf(eventIds);
        assertThat(perId.values()).as("requests per webhook-id").containsOnly(1L);

        Map<String, List<JsonNode>> log = eventIds.stream().collect(Collectors.toMap(Function.identity(), this::attempts));
        assertThat(log.values().stream().flatMap(List::stream).filter(a -> a.path("error").asString("").startsWith("no response")))
                .as("attempts recorded as 'no response'").isEmpty();
        assertThat(log.values()).as("one attempt per delivery").allSatisfy(attempts -> {
            assertThat(attempts).hasSize(1);
            assertThat(attempts.get(0).path("outcome").asString()).isEqualTo("SUCCESS");
            assertThat(attempts.get(0).path("statusCode").asInt()).isEqualTo(200);
        });
        await().atMost(seconds(5)).untilAsserted(() ->
                assertThat(eventIds).allSatisfy(id -> assertThat(status(id)).isEqualTo("DELIVERED")));

        // The connections were kept and reused: the case where a response on a reused connection went unread.
        assertThat(keepAlive.connections()).isLessThan(n / 5);
        assertThat(keepAlive.requests().stream().filter(r -> r.onConnection() > 1).count()).isGreaterThan(n * 3L / 4);
    }

    @Test
    void aSlowBodyAfterA2xxStatusIsDeliveredAtOneAttemptWithoutATimeout() {
        CountDownLatch body = new CountDownLatch(1);
        try {
            keepAlive.respond(KeepAliveReceiver.Answer.bodyWhenReleased(200, body));
            Promoted p = promote(keepAlive.url());
            await().atMost(seconds(10)).untilAsserted(() -> assertThat(status(p.eventId())).isEqualTo("DELIVERED"));
            List<JsonNode> attempts = attempts(p.eventId());
            assertThat(attempts).hasSize(1);
            assertThat(attempts.get(0).path("outcome").asString()).isEqualTo("SUCCESS");
            assertThat(attempts.get(0).path("statusCode").asInt()).isEqualTo(200);
            assertThat(attempts.get(0).has("error")).isFalse();
            // The status came at once: the latency is not the body's wait (body-timeout 500 ms here).
            assertThat(attempts.get(0).path("latencyMs").asLong()).isLessThan(500L);
            // The connection with the unread body is closed, not handed to the next delivery.
            await().atMost(seconds(5)).until(() -> keepAlive.closedByClient().contains(1));

            Promoted next = promote(keepAlive.url());
            await().atMost(seconds(10)).untilAsserted(() -> assertThat(status(next.eventId())).isEqualTo("DELIVERED"));
            assertThat(keepAlive.requests()).extracting(KeepAliveReceiver.Received::connection).containsExactly(1, 2);
            await().during(Duration.ofMillis(600)).atMost(seconds(3)).until(() -> keepAlive.count() == 2);
        } finally {
            body.countDown();
        }
    }
}
