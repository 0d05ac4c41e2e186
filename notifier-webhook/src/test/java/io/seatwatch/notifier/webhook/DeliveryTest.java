package io.seatwatch.notifier.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import io.seatwatch.http.HttpDates;
import io.seatwatch.testsupport.HttpDateFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.amqp.core.Message;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.config.BindingServiceProperties;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** Deliveries end to end: RabbitMQ → Redis schedule → signed POST to a real local receiver. */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = "seatwatch.redis.key-prefix=sw:v1:test:webhook-delivery:")
class DeliveryTest extends NotifierTestSupport {

    @LocalServerPort
    int port;

    @BeforeEach
    void emptyTheDeadLetterQueue() {
        while (broker().receive(DLQ) != null) {
            // drained: each test reads only its own dead letters
        }
    }

    private void awaitRequests(int n) {
        await().atMost(seconds(10)).until(() -> receiver.count() >= n);
    }

    /** The receiver got exactly {@code n} requests, and no more come for a while. */
    private void assertRequestsStay(int n) {
        await().during(Duration.ofMillis(600)).atMost(seconds(3)).until(() -> receiver.count() == n);
    }

    private void awaitStatus(String eventId, String status) {
        await().atMost(seconds(10)).untilAsserted(() -> assertThat(status(eventId)).isEqualTo(status));
    }

    @Test
    void theFunctionGetsTheRawBytesWithoutAConversionAttempt(@Autowired BindingServiceProperties bindings) {
        assertThat(bindings.getBindingProperties("webhook-in-0").getConsumer().isUseNativeDecoding()).isTrue();
    }

    // ---- the request ----

    @Test
    void aPromotionIsPostedAsASignedStandardWebhookThatTheReferenceVerifierAccepts() throws Exception {
        Promoted p = promote(receiver.url());
        awaitRequests(1);
        Receiver.Received r = receiver.requests().get(0);

        assertThat(r.request().getMethod()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/hook");
        assertThat(r.header("webhook-id")).isEqualTo(p.eventId());
        assertThat(Long.parseLong(r.header("webhook-timestamp"))).isCloseTo(Instant.now().getEpochSecond(),
                org.assertj.core.data.Offset.offset(30L));
        assertThat(r.header("webhook-signature")).startsWith("v1,").doesNotContain(" ");
        assertThat(r.header("User-Agent")).isEqualTo("Seatwatch-Webhooks/9.9.9-test");
        assertThat(r.header("Content-Type")).startsWith("application/json");

        JsonNode body = json.readTree(r.body());
        assertThat(body.path("type").asString()).isEqualTo("enrollment.promoted");
        assertThat(body.path("timestamp").asString()).isEqualTo(p.event().get("occurredAt"));
        JsonNode data = body.path("data");
        assertThat(data.propertyNames()).containsExactly("eventId", "sequence", "occurredAt", "classId", "department",
                "courseCode", "section", "title", "studentId", "cause");
        assertThat(data.path("eventId").asString()).isEqualTo(p.eventId());
        assertThat(data.path("sequence").asInt()).isEqualTo(7);
        assertThat(data.path("studentId").asString()).isEqualTo(p.studentId());
        assertThat(r.body()).doesNotContain("whsec_").doesNotContain("@uni.example.edu").doesNotContain("traceparent");

        // The reference implementation verifies the exact bytes received; a changed body or another secret fails.
        new Webhook(p.secret()).verify(r.body(), r.headers());
        assertThatThrownBy(() -> new Webhook(p.secret()).verify(r.body().replace("STUDENT_DROP", "REGISTRAR_DROP"), r.headers()))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> new Webhook(cipher.newSecret()).verify(r.body(), r.headers()))
                .isInstanceOf(WebhookVerificationException.class);

        awaitStatus(p.eventId(), "DELIVERED");
        List<JsonNode> attempts = attempts(p.eventId());
        assertThat(attempts).hasSize(1);
        assertThat(attempts.get(0).path("outcome").asString()).isEqualTo("SUCCESS");
        assertThat(attempts.get(0).path("statusCode").asInt()).isEqualTo(200);
        assertThat(attempts.get(0).path("trigger").asString()).isEqualTo("scheduled");
        assertThat(attempts.get(0).path("url").asString()).isEqualTo(receiver.url());
        assertThat(attempts.get(0).has("latencyMs")).isTrue();
        assertThat(attempts.get(0).has("nextAttemptAt")).isFalse();
        assertThat(isDue(p.eventId())).isFalse();
        assertThat(redis.hasKey(keys.done(p.eventId(), receiver.url())).block()).isTrue();
        assertThat(redis.getExpire(keys.delivery(p.eventId())).block()).isGreaterThan(Duration.ofDays(29));
        assertRequestsStay(1);
    }

    @Test
    void theAttemptLogLineCarriesTheTraceIdOfTheRequestThatCausedThePromotion(CapturedOutput output) {
        Promoted p = promote(receiver.url());
        awaitRequests(1);
        String line = "Webhook scheduled attempt for event " + p.eventId();
        await().atMost(seconds(10)).until(() -> output.getOut().contains(line));
        String logged = output.getOut().lines().filter(l -> l.contains(line)).findFirst().orElseThrow();
        // The event's traceparent (NotifierTestSupport) is restored on the scheduler thread that made the attempt.
        assertThat(logged).contains("[4bf92f3577b34da6a3ce929d0e0e4736-");
    }

    @Test
    void duringARotationTheOldAndTheNewSecretBothSign() throws Exception {
        String studentId = newId("s");
        String classId = newId("c");
        String old = subscribe(studentId, classId, receiver.url());
        String current = cipher.newSecret();
        long until = Instant.now().plus(Duration.ofHours(24)).toEpochMilli() * 1000;
        redis.opsForHash().putAll(keys.subscription(studentId, classId), Map.of(
                "webhookSecret", cipher.encrypt(current, studentId, classId),
                "webhookSecretPrevious", cipher.encrypt(old, studentId, classId),
                "webhookSecretPreviousUntil", Long.toString(until))).block();

        publish(event(studentId, classId, receiver.url()));
        awaitRequests(1);
        Receiver.Received r = receiver.requests().get(0);
        assertThat(r.header("webhook-signature").split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
        new Webhook(current).verify(r.body(), r.headers());
        new Webhook(old).verify(r.body(), r.headers());
        assertThatThrownBy(() -> new Webhook(old).verify(r.body() + " ", r.headers()))
                .isInstanceOf(WebhookVerificationException.class);

        // Once the grace period is over only the current secret signs.
        redis.opsForHash().put(keys.subscription(studentId, classId), "webhookSecretPreviousUntil",
                Long.toString(Instant.now().minusSeconds(1).toEpochMilli() * 1000)).block();
        publish(event(studentId, classId, receiver.url()));
        awaitRequests(2);
        Receiver.Received later = receiver.requests().get(1);
        assertThat(later.header("webhook-signature").split(" ")).hasSize(1);
        new Webhook(current).verify(later.body(), later.headers());
        assertThatThrownBy(() -> new Webhook(old).verify(later.body(), later.headers()))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void aDnsNameIsDialedAtTheAddressTheGuardedResolverChecked() {
        // hooks.seatwatch.test exists only in the resolver's hosts file of this suite: the connection can only
        // have been made to the address that resolver returned and the guard allowed (127.0.0.1/32 here).
        Promoted p = promote(receiver.url("hooks.seatwatch.test"));
        awaitRequests(1);
        assertThat(receiver.requests().get(0).header("Host")).isEqualTo("hooks.seatwatch.test:" + receiver.port());
        awaitStatus(p.eventId(), "DELIVERED");
    }

    // ---- retries ----

    @Test
    void failuresAreRetriedOnTheScheduleAndTheEventIsDeliveredOnce() throws Exception {
        receiver.respond(Receiver.status(500), Receiver.status(500));
        Promoted p = promote(receiver.url());
        awaitStatus(p.eventId(), "DELIVERED");
        assertRequestsStay(3);

        List<Receiver.Received> requests = receiver.requests();
        assertThat(requests).extracting(r -> r.header("webhook-id")).containsOnly(p.eventId());
        for (Receiver.Received r : requests) {
            new Webhook(p.secret()).verify(r.body(), r.headers());
        }
        assertThat(requests).extracting(Receiver.Received::body).containsOnly(requests.get(0).body());
        // 100 ms and 200 ms, each within the 20 % jitter (and a poll interval late at most).
        assertThat(Duration.ofNanos(requests.get(1).nanos() - requests.get(0).nanos())).isBetween(Duration.ofMillis(75), Duration.ofMillis(1000));
        assertThat(Duration.ofNanos(requests.get(2).nanos() - requests.get(1).nanos())).isBetween(Duration.ofMillis(155), Duration.ofMillis(1100));

        List<JsonNode> attempts = attempts(p.eventId());
        assertThat(attempts).extracting(a -> a.path("outcome").asString()).containsExactly("FAILURE", "FAILURE", "SUCCESS");
        assertThat(attempts).extracting(a -> a.path("statusCode").asInt()).containsExactly(500, 500, 200);
        assertThat(attempts).extracting(a -> a.path("attempt").asInt()).containsExactly(1, 2, 3);
        assertThat(attempts.get(0).path("error").asString()).isEqualTo("HTTP 500");
        assertThat(attempts.get(0).has("nextAttemptAt")).isTrue();
        assertThat(delivery(p.eventId())).containsEntry("autoAttempts", "3").containsEntry("attempts", "3");
        assertThat(subscription(p.studentId(), p.classId())).containsEntry("webhookStatus", "ACTIVE");
    }

    @Test
    void retryAfterIsHonouredOverAShorterScheduledDelay() {
        receiver.respond(new MockResponse.Builder().code(503).setHeader("Retry-After", "1").build());
        Promoted p = promote(receiver.url());
        awaitStatus(p.eventId(), "DELIVERED");
        List<Receiver.Received> requests = receiver.requests();
        assertThat(requests).hasSize(2);
        assertThat(Duration.ofNanos(requests.get(1).nanos() - requests.get(0).nanos())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        JsonNode first = attempts(p.eventId()).get(0);
        assertThat(Long.parseLong(first.path("nextAttemptAt").asString()) - Long.parseLong(first.path("at").asString()))
                .isGreaterThanOrEqualTo(1_000_000L);
    }

    @Test
    void retryAfterAsAnHttpDateIsHonoured() {
        // Whole seconds: a date 3 s ahead is between 2 and 3 s away, far beyond the 100 ms the schedule asks.
        String date = HttpDates.format(Instant.now().plusSeconds(3));
        receiver.respond(new MockResponse.Builder().code(503).setHeader("Retry-After", date).build());
        Promoted p = promote(receiver.url());
        awaitStatus(p.eventId(), "DELIVERED");
        List<Receiver.Received> requests = receiver.requests();
        assertThat(requests).hasSize(2);
        assertThat(Duration.ofNanos(requests.get(1).nanos() - requests.get(0).nanos()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
    }

    @Test
    void goneDisablesTheWebhookAfterOneAttemptAndLaterEventsAreNotSent() {
        receiver.respond(Receiver.status(410));
        Promoted p = promote(receiver.url());
        awaitStatus(p.eventId(), "DISABLED");
        assertRequestsStay(1);
        assertThat(subscription(p.studentId(), p.classId())).containsEntry("webhookStatus", "DISABLED");
        assertThat(attempts(p.eventId())).extracting(a -> a.path("outcome").asString()).containsExactly("GONE");
        assertThat(isDue(p.eventId())).isFalse();

        Map<String, Object> next = event(p.studentId(), p.classId(), receiver.url());
        publish(next);
        awaitStatus((String) next.get("eventId"), "CANCELLED");
        assertThat(attempts((String) next.get("eventId"))).extracting(a -> a.path("error").asString())
                .containsExactly("the webhook is DISABLED");
        assertRequestsStay(1);
    }

    @Test
    void aTimeoutIsAFailure() {
        receiver.respond(new MockResponse.Builder().code(200).headersDelay(3, TimeUnit.SECONDS).build());
        Promoted p = promote(receiver.url());
        awaitStatus(p.eventId(), "DELIVERED");
        List<JsonNode> attempts = attempts(p.eventId());
        assertThat(attempts).extracting(a -> a.path("outcome").asString()).containsExactly("FAILURE", "SUCCESS");
        assertThat(attempts.get(0).has("statusCode")).isFalse();
        assertThat(attempts.get(0).path("error").asString()).isEqualTo("no response within 1000 ms");
        assertThat(attempts.get(0).path("latencyMs").asLong()).isBetween(900L, 2500L);
        assertThat(receiver.requests()).extracting(r -> r.header("webhook-id")).containsOnly(p.eventId());
    }

    @Test
    void aRedirectIsAFailureAndIsNotFollowed() {
        receiver.respond(new MockResponse.Builder().code(302).setHeader("Location", receiver.url() + "/elsewhere").build());
        Promoted p = promote(receiver.url());
        awaitStatus(p.eventId(), "DELIVERED");
        assertRequestsStay(2);
        assertThat(receiver.requests()).extracting(Receiver.Received::path).containsOnly("/hook");
        JsonNode first = attempts(p.eventId()).get(0);
        assertThat(first.path("outcome").asString()).isEqualTo("FAILURE");
        assertThat(first.path("statusCode").asInt()).isEqualTo(302);
        assertThat(first.path("error").asString()).contains("redirects are not followed");
    }

    @Test
    void whenEveryAttemptFailsTheEventIsDeadLetteredAndTheWebhookIsFailing() {
        receiver.respond(Receiver.status(500), Receiver.status(502), Receiver.status(500));
        Promoted p = promote(receiver.url());
        awaitStatus(p.eventId(), "FAILED");
        Message dead = await().atMost(seconds(10)).until(() -> broker().receive(DLQ), m -> m != null);
        assertThat(TestBroker.headers(dead)).containsEntry("eventId", p.eventId()).containsEntry("webhookStatus", "FAILED")
                .containsEntry("webhookError", "HTTP 500").containsEntry("webhookAttempts", 3)
                .containsEntry("eventType", "EnrollmentPromoted");
        assertThat(json.readTree(TestBroker.text(dead)).path("eventId").asString()).isEqualTo(p.eventId());
        assertRequestsStay(3);
        assertThat(subscription(p.studentId(), p.classId())).containsEntry("webhookStatus", "FAILING");
        assertThat(attempts(p.eventId())).extracting(a -> a.path("statusCode").asInt()).containsExactly(500, 502, 500);
        await().atMost(seconds(5)).until(() -> !isDue(p.eventId()));
        assertThat(delivery(p.eventId())).doesNotContainKey("deadLetter").doesNotContainKey("nextAttemptAt");
        assertThat(redis.hasKey(keys.sending(p.eventId())).block()).isFalse();
    }

    // ---- the subscription as it is at each attempt ----

    @Test
    void unsubscribingBeforeARetryCancelsTheDelivery() {
        String[] ids = new String[2];
        receiver.respond(request -> {
            // The student unsubscribes while the first attempt is on its way.
            redis.delete(keys.subscription(ids[0], ids[1])).block();
            return Receiver.status(500);
        });
        ids[0] = newId("s");
        ids[1] = newId("c");
        subscribe(ids[0], ids[1], receiver.url());
        Map<String, Object> event = event(ids[0], ids[1], receiver.url());
        publish(event);
        String eventId = (String) event.get("eventId");
        awaitStatus(eventId, "CANCELLED");
        assertRequestsStay(1);
        assertThat(attempts(eventId)).extracting(a -> a.path("outcome").asString()).containsExactly("FAILURE", "CANCELLED");
        assertThat(attempts(eventId).get(1).path("error").asString()).isEqualTo("the subscription or its webhook was removed");
        assertThat(isDue(eventId)).isFalse();
    }

    @Test
    void aChangedUrlGetsTheNextAttemptSignedWithTheSameSecret() throws Exception {
        try (Receiver moved = new Receiver()) {
            String[] ids = {newId("s"), newId("c")};
            receiver.respond(request -> {
                redis.opsForHash().put(keys.subscription(ids[0], ids[1]), "webhookUrl", moved.url()).block();
                return Receiver.status(503);
            });
            String secret = subscribe(ids[0], ids[1], receiver.url());
            Map<String, Object> event = event(ids[0], ids[1], receiver.url());
            publish(event);
            await().atMost(seconds(10)).until(() -> moved.count() == 1);
            Receiver.Received r = moved.requests().get(0);
            assertThat(r.header("webhook-id")).isEqualTo(event.get("eventId"));
            new Webhook(secret).verify(r.body(), r.headers());
            awaitStatus((String) event.get("eventId"), "DELIVERED");
            assertThat(attempts((String) event.get("eventId"))).extracting(a -> a.path("url").asString())
                    .containsExactly(receiver.url(), moved.url());
            assertThat(receiver.count()).isEqualTo(1);
        }
    }

    // ---- at least once in, effectively once out ----

    @Test
    void aRedeliveredMessageIsNotSentAgain() {
        Promoted p = promote(receiver.url());
        awaitStatus(p.eventId(), "DELIVERED");
        publish(p.event());
        publish(p.event());
        assertRequestsStay(1);
        assertThat(attempts(p.eventId())).hasSize(1);
    }

    @Test
    void aReplaySendsAgainWithTheSameWebhookIdAndANewTimestamp() throws Exception {
        Promoted p = promote(receiver.url());
        awaitStatus(p.eventId(), "DELIVERED");
        // What the api's replay endpoint does (replay-delivery.lua): flag the delivery and make it due now.
        redis.opsForHash().put(keys.delivery(p.eventId()), "replay", "1").block();
        redis.opsForZSet().add(keys.due(), p.eventId(), 0).block();
        awaitRequests(2);
        Receiver.Received replayed = receiver.requests().get(1);
        assertThat(replayed.header("webhook-id")).isEqualTo(p.eventId());
        assertThat(replayed.body()).isEqualTo(receiver.requests().get(0).body());
        new Webhook(p.secret()).verify(replayed.body(), replayed.headers());
        await().atMost(seconds(5)).untilAsserted(() -> assertThat(attempts(p.eventId()))
                .extracting(a -> a.path("trigger").asString()).containsExactly("scheduled", "replay"));
        assertThat(status(p.eventId())).isEqualTo("DELIVERED");
        assertThat(delivery(p.eventId())).doesNotContainKey("replay").containsEntry("autoAttempts", "1");
        assertRequestsStay(2);
    }

    @Test
    void aFailedReplayIsNotRetriedAndASuccessfulOneDeliversAFailedEvent() {
        receiver.respond(Receiver.status(500), Receiver.status(500), Receiver.status(500), Receiver.status(500));
        Promoted p = promote(receiver.url());
        awaitStatus(p.eventId(), "FAILED");
        await().atMost(seconds(10)).until(() -> broker().receive(DLQ), m -> m != null);
        assertThat(subscription(p.studentId(), p.classId())).containsEntry("webhookStatus", "FAILING");

        redis.opsForHash().put(keys.delivery(p.eventId()), "replay", "1").block();
        redis.opsForZSet().add(keys.due(), p.eventId(), 0).block();
        await().atMost(seconds(5)).until(() -> attempts(p.eventId()).size() == 4);
        assertRequestsStay(4);
        assertThat(status(p.eventId())).isEqualTo("FAILED");
        assertThat(broker().receive(DLQ)).as("a failed replay is not dead-lettered").isNull();

        redis.opsForHash().put(keys.delivery(p.eventId()), "replay", "1").block();
        redis.opsForZSet().add(keys.due(), p.eventId(), 0).block();
        awaitStatus(p.eventId(), "DELIVERED");
        assertThat(attempts(p.eventId())).extracting(a -> a.path("outcome").asString())
                .containsExactly("FAILURE", "FAILURE", "FAILURE", "FAILURE", "SUCCESS");
        assertThat(subscription(p.studentId(), p.classId())).as("a success heals a FAILING webhook")
                .containsEntry("webhookStatus", "ACTIVE");
    }

    // ---- messages that are not deliveries ----

    @Test
    void otherEventsAndPromotionsWithoutWebhookAreAckedAndIgnored() {
        Map<String, Object> withoutWebhook = event(newId("s"), newId("c"), null);
        publish(withoutWebhook);
        Map<String, Object> confirmation = new java.util.LinkedHashMap<>(Map.of("type", "EmailConfirmationRequested",
                "eventId", java.util.UUID.randomUUID().toString()));
        publish(confirmation);
        Promoted marker = promote(receiver.url());
        awaitStatus(marker.eventId(), "DELIVERED");
        assertThat(delivery((String) withoutWebhook.get("eventId"))).isEmpty();
        assertThat(delivery((String) confirmation.get("eventId"))).isEmpty();
        assertRequestsStay(1);
        assertThat(broker().receive(DLQ)).isNull();
    }

    @Test
    void aMalformedEventGoesToTheDeadLetterQueueAtOnce() {
        String eventId = java.util.UUID.randomUUID().toString();
        broker().publish(EXCHANGE, "EnrollmentPromoted", eventId, "{\"type\":\"EnrollmentPromoted\",\"eventId\":\"nope\"}".getBytes());
        Message dead = await().atMost(seconds(5)).until(() -> broker().receive(DLQ), m -> m != null);
        assertThat(TestBroker.headers(dead)).containsEntry("webhookStatus", "INVALID")
                .containsEntry("webhookError", "eventId is missing or malformed").containsEntry("eventId", eventId);
        assertThat(TestBroker.text(dead)).contains("\"nope\"");
    }

    // ---- the app ----

    @Test
    void theQueueAndItsDeadLetterQueueAreQuorumQueues() {
        assertThat(broker().queues().lines().map(String::strip).map(l -> l.replaceAll("\\s+", " ")))
                .contains("seatwatch.events.webhook quorum", "seatwatch.events.webhook.dlq quorum");
    }

    @Test
    void theHttpPortServesOnlyActuator() {
        WebTestClient client = WebTestClient.bindToServer().baseUrl("http://localhost:" + port).build();
        client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
        client.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk()
                .expectHeader().valueMatches("Date", HttpDateFormat.IMF_FIXDATE.pattern());
        client.get().uri("/actuator/health/dependencies").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.components.redis.status").isEqualTo("UP")
                .jsonPath("$.components.rabbit.status").isEqualTo("UP");
        client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body).contains("jvm_memory_used_bytes"));
        client.get().uri("/").exchange().expectStatus().isNotFound();
        client.post().uri("/hook").exchange().expectStatus().isNotFound();
    }
}
