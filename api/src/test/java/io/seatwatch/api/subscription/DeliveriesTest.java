package io.seatwatch.api.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.seatwatch.api.ApiTestSupport;
import io.seatwatch.webhooks.DeliveryKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * The webhook delivery log and replays of a subscription, on the real Redis. The deliveries are written here
 * exactly as notifier-webhook writes them (docs/redis-keys.md, "Webhook deliveries"); its own tests show that
 * a replay queued this way is sent.
 */
@TestPropertySource(properties = {
        "seatwatch.redis.key-prefix=sw:v1:test:deliveries:",
        "seatwatch.webhooks.replays-per-hour=3"})
class DeliveriesTest extends ApiTestSupport {

    static final String HOOK = "https://203.0.113.10/seatwatch";

    private DeliveryKeys deliveryKeys() {
        return new DeliveryKeys(keys.prefix());
    }

    private record Subscribed(String studentId, String classId) {}

    private Subscribed subscribed(Map<String, String> body) {
        String classId = createClassId(newId("prof"), 5, 5);
        String s = newId("s");
        http.put().uri("/students/{s}/subscriptions/{c}", s, classId).header("Authorization", "Bearer " + student(s))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange().expectStatus().isCreated();
        return new Subscribed(s, classId);
    }

    private Subscribed subscribed() {
        return subscribed(Map.of("webhookUrl", HOOK));
    }

    private static String micros(Instant t) {
        return Long.toString(t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000);
    }

    /** A delivery with its attempts, as notifier-webhook's accept and record scripts leave it. */
    private String seed(Subscribed sub, Instant createdAt, String status, String... attempts) {
        String eventId = UUID.randomUUID().toString();
        DeliveryKeys d = deliveryKeys();
        redis.opsForHash().putAll(d.delivery(eventId), Map.of("eventId", eventId, "studentId", sub.studentId(),
                "classId", sub.classId(), "type", "enrollment.promoted", "status", status, "url", HOOK,
                "body", "{}", "event", "{}", "createdAt", micros(createdAt), "updatedAt", micros(createdAt.plusSeconds(1)))).block();
        if (attempts.length > 0) {
            redis.opsForList().rightPushAll(d.attempts(eventId), attempts).block();
        }
        redis.opsForZSet().add(d.deliveries(sub.studentId(), sub.classId()), micros(createdAt) + ":" + eventId, 0).block();
        return eventId;
    }

    private WebTestClient.ResponseSpec list(Subscribed sub, String bearer, String query) {
        return http.get().uri("/students/{s}/subscriptions/{c}/deliveries" + query, sub.studentId(), sub.classId())
                .header("Authorization", "Bearer " + bearer).exchange();
    }

    private WebTestClient.ResponseSpec replay(String studentId, String classId, String eventId, String bearer) {
        WebTestClient.RequestHeadersSpec<?> request = http.post()
                .uri("/students/{s}/subscriptions/{c}/deliveries/{e}/replay", studentId, classId, eventId);
        return (bearer == null ? request : request.header("Authorization", "Bearer " + bearer)).exchange();
    }

    private JsonNode body(WebTestClient.ResponseSpec response) {
        return json.readTree(response.expectBody().returnResult().getResponseBody());
    }

    private static void assertProblem(WebTestClient.ResponseSpec response, int status, String type) {
        response.expectStatus().isEqualTo(status).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/" + type);
    }

    @Test
    void theStudentSeesTheirDeliveriesNewestFirstWithEveryAttempt() {
        Subscribed sub = subscribed();
        Instant t0 = Instant.parse("2026-11-30T08:00:00Z");
        String older = seed(sub, t0, "DELIVERED",
                "{\"attempt\":1,\"at\":\"" + micros(t0) + "\",\"trigger\":\"scheduled\",\"url\":\"" + HOOK + "\",\"outcome\":\"FAILURE\","
                        + "\"statusCode\":500,\"error\":\"HTTP 500\",\"latencyMs\":12,\"nextAttemptAt\":\"" + micros(t0.plusSeconds(5)) + "\",\"by\":\"replica-a\"}",
                "{\"attempt\":2,\"at\":\"" + micros(t0.plusSeconds(5)) + "\",\"trigger\":\"scheduled\",\"url\":\"" + HOOK + "\","
                        + "\"outcome\":\"SUCCESS\",\"statusCode\":204,\"latencyMs\":9,\"by\":\"replica-b\"}");
        String newer = seed(sub, t0.plusSeconds(60), "PENDING",
                "{\"attempt\":1,\"at\":\"" + micros(t0.plusSeconds(60)) + "\",\"trigger\":\"scheduled\",\"url\":\"" + HOOK + "\","
                        + "\"outcome\":\"FAILURE\",\"error\":\"no response within 15000 ms\",\"latencyMs\":15000,"
                        + "\"nextAttemptAt\":\"" + micros(t0.plusSeconds(65)) + "\",\"by\":\"replica-a\"}");
        redis.opsForHash().put(deliveryKeys().delivery(newer), "nextAttemptAt", micros(t0.plusSeconds(65))).block();
        String newest = seed(sub, t0.plusSeconds(120), "PENDING");
        // An index entry whose delivery has expired is skipped.
        redis.opsForZSet().add(deliveryKeys().deliveries(sub.studentId(), sub.classId()),
                micros(t0.plusSeconds(90)) + ":" + UUID.randomUUID(), 0).block();

        JsonNode all = body(list(sub, student(sub.studentId()), "").expectStatus().isOk());
        assertThat(all.path("items").valueStream().map(i -> i.path("eventId").asString())).containsExactly(newest, newer, older);
        assertThat(all.has("nextCursor")).isFalse();
        JsonNode delivered = all.path("items").get(2);
        assertThat(delivered.propertyNames()).containsExactly("eventId", "type", "status", "createdAt", "updatedAt", "attempts");
        assertThat(delivered.path("type").asString()).isEqualTo("enrollment.promoted");
        assertThat(delivered.path("status").asString()).isEqualTo("DELIVERED");
        assertThat(delivered.path("createdAt").asString()).isEqualTo("2026-11-30T08:00:00Z");
        JsonNode failed = delivered.path("attempts").get(0);
        assertThat(failed.propertyNames()).containsExactly("attempt", "at", "trigger", "url", "outcome", "statusCode", "error",
                "latencyMs", "nextAttemptAt");
        assertThat(failed.path("nextAttemptAt").asString()).isEqualTo("2026-11-30T08:00:05Z");
        assertThat(failed.path("statusCode").asInt()).isEqualTo(500);
        assertThat(delivered.path("attempts").get(1).path("outcome").asString()).isEqualTo("SUCCESS");
        assertThat(all.toString()).doesNotContain("replica-").doesNotContain("\"by\"").doesNotContain("\"body\"");
        JsonNode pending = all.path("items").get(1);
        assertThat(pending.path("nextAttemptAt").asString()).isEqualTo("2026-11-30T08:01:05Z");
        assertThat(pending.path("attempts").get(0).has("statusCode")).isFalse();
        assertThat(all.path("items").get(0).path("attempts")).isEmpty();

        // Pages of two.
        JsonNode first = body(list(sub, student(sub.studentId()), "?limit=2").expectStatus().isOk());
        assertThat(first.path("items").valueStream().map(i -> i.path("eventId").asString())).containsExactly(newest, newer);
        String cursor = first.path("nextCursor").asString();
        JsonNode second = body(list(sub, student(sub.studentId()), "?limit=2&cursor=" + cursor).expectStatus().isOk());
        assertThat(second.path("items").valueStream().map(i -> i.path("eventId").asString())).containsExactly(older);
        assertThat(second.has("nextCursor")).isFalse();

        // A subscription without deliveries has an empty log.
        Subscribed quiet = subscribed();
        assertThat(body(list(quiet, student(quiet.studentId()), "").expectStatus().isOk()).path("items")).isEmpty();
    }

    @Test
    void onlyTheStudentMaySeeOrReplayAndNothingIsWrittenForOthers() {
        Subscribed sub = subscribed();
        String eventId = seed(sub, Instant.now(), "FAILED");
        Map<String, String> before = snapshot();
        for (String bearer : List.of(student(newId("s")), registrar(), instructor(newId("prof")), token(sub.studentId(), "instructor"),
                token(sub.studentId(), "registrar"))) {
            assertProblem(list(sub, bearer, ""), 403, "forbidden");
            assertProblem(replay(sub.studentId(), sub.classId(), eventId, bearer), 403, "forbidden");
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void theOrderIs401Then400Then403Then404() {
        Subscribed sub = subscribed();
        String eventId = seed(sub, Instant.now(), "DELIVERED");
        String intruder = student(newId("s"));
        String owner = student(sub.studentId());

        list(sub, "not-a-token", "").expectStatus().isUnauthorized();
        replay(sub.studentId(), sub.classId(), eventId, null).expectStatus().isUnauthorized();

        assertProblem(replay(sub.studentId(), sub.classId(), "NOT-A-UUID", intruder), 400, "validation-failed");
        assertProblem(replay(sub.studentId(), "bad id!", eventId, intruder), 400, "validation-failed");
        assertProblem(list(sub, intruder, "?cursor=bm9wZQ"), 400, "validation-failed");
        assertProblem(list(sub, intruder, "?limit=0"), 400, "validation-failed");

        assertProblem(replay(sub.studentId(), "no-such-class", eventId, intruder), 403, "forbidden");
        assertProblem(replay(sub.studentId(), "no-such-class", eventId, owner), 404, "subscription-not-found");
        assertProblem(http.get().uri("/students/{s}/subscriptions/{c}/deliveries", sub.studentId(), "no-such-class")
                .header("Authorization", "Bearer " + owner).exchange(), 404, "subscription-not-found");
        assertProblem(replay(sub.studentId(), sub.classId(), UUID.randomUUID().toString(), owner), 404, "delivery-not-found");

        // An event of another subscription, even the same student's, is not found here.
        Subscribed other = subscribed();
        String elsewhere = seed(other, Instant.now(), "DELIVERED");
        assertProblem(replay(sub.studentId(), sub.classId(), elsewhere, owner), 404, "delivery-not-found");

        // A subscription whose webhook was removed has no deliveries to replay.
        String classId = sub.classId();
        http.put().uri("/students/{s}/subscriptions/{c}", sub.studentId(), classId).header("Authorization", "Bearer " + owner)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("email", "a@example.org")).exchange().expectStatus().isOk();
        assertProblem(replay(sub.studentId(), classId, eventId, owner), 404, "webhook-not-found");
        // Its log stays readable.
        assertThat(body(list(sub, owner, "").expectStatus().isOk()).path("items")).hasSize(1);
    }

    @Test
    void aReplayQueuesTheSameEventInTheNotifiersSchedule() {
        Subscribed sub = subscribed();
        String eventId = seed(sub, Instant.now().minusSeconds(3600), "DELIVERED");
        Instant before = Instant.now();

        JsonNode answer = body(replay(sub.studentId(), sub.classId(), eventId, student(sub.studentId()))
                .expectStatus().isAccepted());
        assertThat(answer.path("eventId").asString()).isEqualTo(eventId);
        assertThat(answer.path("status").asString()).isEqualTo("DELIVERED");
        assertThat(Instant.parse(answer.path("replayRequestedAt").asString())).isBetween(before.minusSeconds(5), Instant.now().plusSeconds(5));

        DeliveryKeys d = deliveryKeys();
        assertThat(redis.opsForHash().get(d.delivery(eventId), "replay").block()).isEqualTo("1");
        assertThat(redis.opsForHash().get(d.delivery(eventId), "replays").block()).isEqualTo("1");
        Double due = redis.opsForZSet().score(d.due(), eventId).block();
        assertThat(due).isNotNull();
        assertThat(Math.abs(due - Double.parseDouble(micros(Instant.now())))).isLessThan(10_000_000d);
        assertThat(redis.getExpire(d.replays(sub.studentId(), sub.classId())).block())
                .isBetween(Duration.ofMinutes(59), Duration.ofHours(1));
    }

    @Test
    void replaysAreCappedPerSubscriptionPerHour() {
        Subscribed sub = subscribed();
        String eventId = seed(sub, Instant.now(), "FAILED");
        String owner = student(sub.studentId());
        for (int i = 0; i < 3; i++) {
            replay(sub.studentId(), sub.classId(), eventId, owner).expectStatus().isAccepted();
        }
        Map<String, String> before = snapshot();
        replay(sub.studentId(), sub.classId(), eventId, owner).expectStatus().isEqualTo(429)
                .expectHeader().value("Retry-After", v -> assertThat(Long.parseLong(v)).isBetween(3500L, 3600L))
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/replay-limit")
                .jsonPath("$.retryAfter").isNumber();
        assertThat(snapshot()).isEqualTo(before);
        assertThat(redis.opsForHash().get(deliveryKeys().delivery(eventId), "replays").block()).isEqualTo("3");

        // The cap is per subscription.
        Subscribed other = subscribed();
        replay(other.studentId(), other.classId(), seed(other, Instant.now(), "FAILED"), student(other.studentId()))
                .expectStatus().isAccepted();
    }

    @Test
    void aDisabledWebhookIsNotReplayedUntilItIsPutAgain() {
        Subscribed sub = subscribed();
        String eventId = seed(sub, Instant.now(), "DISABLED");
        redis.opsForHash().put(keys.subscription(sub.studentId(), sub.classId()), "webhookStatus", "DISABLED").block();
        String owner = student(sub.studentId());
        assertProblem(replay(sub.studentId(), sub.classId(), eventId, owner), 409, "webhook-disabled");
        assertThat(redis.opsForZSet().score(deliveryKeys().due(), eventId).block()).isNull();

        http.put().uri("/students/{s}/subscriptions/{c}", sub.studentId(), sub.classId()).header("Authorization", "Bearer " + owner)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("webhookUrl", HOOK)).exchange().expectStatus().isOk();
        replay(sub.studentId(), sub.classId(), eventId, owner).expectStatus().isAccepted();
    }
}
