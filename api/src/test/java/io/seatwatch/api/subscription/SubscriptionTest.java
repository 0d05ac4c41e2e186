package io.seatwatch.api.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.seatwatch.api.ApiTestSupport;
import io.seatwatch.webhooks.WebhookSecretCipher;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** Subscriptions end to end on the real Redis: CRUD, email confirmation, secrets, promotion events. */
@TestPropertySource(properties = {
        "seatwatch.redis.key-prefix=sw:v1:test:subscription:",
        "seatwatch.public-base-url=https://seatwatch.example.edu/"})
class SubscriptionTest extends ApiTestSupport {

    static final String HOOK = "https://203.0.113.10/seatwatch";
    static final String OTHER_HOOK = "https://[2001:db8::10]:8443/hooks/seatwatch?s=1";
    static final String CONFIRMATION_PREFIX = "https://seatwatch.example.edu/api/v1/email-confirmations/";

    @Autowired
    WebhookSecretCipher cipher;

    // ---- create, replace, list, delete ----

    @Test
    void putCreatesThenReplacesAndAChannelLeftOutIsRemoved() {
        String classId = newClass();
        String s = newId("s");
        String bearer = studentWithEmail(s, s + "@uni.example.edu");

        JsonNode created = body(put(s, classId, bearer, Map.of("email", s + "@uni.example.edu", "webhookUrl", HOOK))
                .expectStatus().isCreated()
                .expectHeader().valueEquals("Cache-Control", "no-store"));
        assertThat(fieldNames(created)).containsExactly("classId", "email", "emailStatus", "webhookUrl", "webhookStatus",
                "webhookSecret");
        assertThat(created.path("classId").asString()).isEqualTo(classId);
        assertThat(created.path("emailStatus").asString()).isEqualTo("ACTIVE");
        assertThat(created.path("webhookUrl").asString()).isEqualTo(HOOK);
        assertThat(created.path("webhookStatus").asString()).isEqualTo("ACTIVE");
        assertThat(created.path("webhookSecret").asString()).startsWith("whsec_");
        assertThat(redis.opsForSet().isMember(keys.classSubscribers(classId), s).block()).isTrue();
        assertThat(redis.opsForZSet().score(keys.studentSubscriptions(s), classId).block()).isZero();

        // Replace: only a webhook now, so the email goes.
        JsonNode replaced = body(put(s, classId, bearer, Map.of("webhookUrl", OTHER_HOOK)).expectStatus().isOk());
        assertThat(fieldNames(replaced)).containsExactly("classId", "webhookUrl", "webhookStatus");
        assertThat(replaced.path("webhookUrl").asString()).isEqualTo(OTHER_HOOK);
        Map<Object, Object> stored = subscriptionHash(s, classId);
        assertThat(stored).doesNotContainKeys("email", "emailStatus").containsEntry("webhookUrl", OTHER_HOOK);

        // And back to only an email: the webhook and its secret go.
        JsonNode emailOnly = body(put(s, classId, bearer, Map.of("email", s + "@uni.example.edu")).expectStatus().isOk());
        assertThat(fieldNames(emailOnly)).containsExactly("classId", "email", "emailStatus");
        assertThat(subscriptionHash(s, classId)).doesNotContainKeys("webhookUrl", "webhookStatus", "webhookSecret")
                .containsEntry("studentId", s).containsEntry("classId", classId).containsKeys("createdAt", "updatedAt");

        JsonNode list = getJson("/students/{s}/subscriptions", bearer, s);
        assertThat(list.path("items")).hasSize(1);
        assertThat(fieldNames(list.path("items").get(0))).containsExactly("classId", "email", "emailStatus");
        assertThat(list.has("nextCursor")).isFalse();
    }

    @Test
    void deleteRemovesTheSubscriptionAndItsIndexesThenAnswers404() {
        String classId = newClass();
        String s = newId("s");
        put(s, classId, student(s), Map.of("webhookUrl", HOOK)).expectStatus().isCreated();

        http.delete().uri("/students/{s}/subscriptions/{c}", s, classId).header("Authorization", "Bearer " + student(s))
                .exchange().expectStatus().isNoContent().expectBody().isEmpty();

        assertThat(redis.hasKey(keys.subscription(s, classId)).block()).isFalse();
        assertThat(redis.opsForSet().isMember(keys.classSubscribers(classId), s).block()).isFalse();
        assertThat(redis.opsForZSet().size(keys.studentSubscriptions(s)).block()).isZero();
        assertThat(getJson("/students/{s}/subscriptions", student(s), s).path("items")).isEmpty();
        http.delete().uri("/students/{s}/subscriptions/{c}", s, classId).header("Authorization", "Bearer " + student(s))
                .exchange().expectStatus().isNotFound().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/subscription-not-found");
    }

    @Test
    void listPagesInClassIdOrderAndNeverShowsSecrets() {
        String s = newId("s");
        List<String> classIds = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String classId = newClass();
            classIds.add(classId);
            put(s, classId, student(s), Map.of("webhookUrl", HOOK, "email", "other-" + i + "@example.org"))
                    .expectStatus().isCreated();
        }
        classIds.sort(null);

        JsonNode first = getJson("/students/{s}/subscriptions?limit=2", student(s), s);
        assertThat(first.path("items").valueStream().map(i -> i.path("classId").asString())).containsExactlyElementsOf(classIds.subList(0, 2));
        String cursor = first.path("nextCursor").asString();
        assertThat(cursor).isNotEmpty();
        JsonNode second = getJson("/students/{s}/subscriptions?limit=2&cursor={c}", student(s), s, cursor);
        assertThat(second.path("items").valueStream().map(i -> i.path("classId").asString())).containsExactly(classIds.get(2));
        assertThat(second.has("nextCursor")).isFalse();

        JsonNode item = first.path("items").get(0);
        assertThat(fieldNames(item)).containsExactly("classId", "email", "emailStatus", "webhookUrl", "webhookStatus");
        assertThat(item.path("emailStatus").asString()).isEqualTo("PENDING");
        String raw = new String(http.get().uri("/students/{s}/subscriptions", s).header("Authorization", "Bearer " + registrar())
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody());
        assertThat(raw).doesNotContain("whsec_").doesNotContainIgnoringCase("secret");

        http.get().uri("/students/{s}/subscriptions?cursor=bm9wZQ", s).header("Authorization", "Bearer " + student(s))
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].parameter").isEqualTo("cursor");
        http.get().uri("/students/{s}/subscriptions?limit=101", s).header("Authorization", "Bearer " + student(s))
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].parameter").isEqualTo("limit");
        assertThat(getJson("/students/{s}/subscriptions", registrar(), newId("nobody")).path("items")).isEmpty();
    }

    @Test
    void aSubscriptionToAnUnknownClassIs404AndWritesNothing() {
        String s = newId("s");
        var before = snapshot();
        put(s, "no-such-class", student(s), Map.of("email", "x@example.org")).expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("/problems/class-not-found");
        assertThat(snapshot()).isEqualTo(before);
    }

    // ---- who may ----

    @Test
    void onlyTheStudentMayWriteAndTheStudentOrARegistrarMayList() {
        String prof = newId("prof");
        String classId = createClassId(prof, 5, 5);
        String s = newId("s");
        put(s, classId, student(s), Map.of("webhookUrl", HOOK)).expectStatus().isCreated();
        Map<String, String> before = snapshot();

        for (String bearer : List.of(student(newId("s")), instructor(prof), registrar(), token(newId("x"), "instructor", "registrar"),
                token(s, "instructor"), token(s))) {
            assertForbidden(put(s, classId, bearer, Map.of("email", "mallory@example.org")));
            assertForbidden(http.delete().uri("/students/{s}/subscriptions/{c}", s, classId)
                    .header("Authorization", "Bearer " + bearer).exchange());
            assertForbidden(http.post().uri("/students/{s}/subscriptions/{c}/webhook-secret", s, classId)
                    .header("Authorization", "Bearer " + bearer).exchange());
        }
        for (String bearer : List.of(student(newId("s")), instructor(prof), token(s, "instructor"))) {
            assertForbidden(http.get().uri("/students/{s}/subscriptions", s).header("Authorization", "Bearer " + bearer).exchange());
        }
        assertThat(snapshot()).isEqualTo(before);

        assertThat(getJson("/students/{s}/subscriptions", registrar(), s).path("items")).hasSize(1);
        assertThat(getJson("/students/{s}/subscriptions", token(s, "student", "registrar"), s).path("items")).hasSize(1);
    }

    @Test
    void theOrderIs401Then400Then403Then404() {
        String s = newId("s");
        String intruder = student(newId("s"));
        http.put().uri("/students/{s}/subscriptions/{c}", s, "no-such-class").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("email", "x@example.org")).exchange().expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.type").isEqualTo("/problems/unauthorized");
        http.get().uri("/students/{s}/subscriptions", s).exchange().expectStatus().isUnauthorized();
        http.delete().uri("/students/{s}/subscriptions/{c}", s, "c1").exchange().expectStatus().isUnauthorized();
        http.post().uri("/students/{s}/subscriptions/{c}/webhook-secret", s, "c1").exchange().expectStatus().isUnauthorized();

        // A malformed body is 400 even for someone who may not write here.
        put(s, "no-such-class", intruder, Map.of("email", "not an address")).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/email");
        // Forbidden before not found: an intruder learns nothing about the class or the subscription.
        assertForbidden(put(s, "no-such-class", intruder, Map.of("email", "x@example.org")));
        assertForbidden(http.delete().uri("/students/{s}/subscriptions/{c}", s, "no-such-class")
                .header("Authorization", "Bearer " + intruder).exchange());
        assertForbidden(http.post().uri("/students/{s}/subscriptions/{c}/webhook-secret", s, "no-such-class")
                .header("Authorization", "Bearer " + intruder).exchange());
        http.post().uri("/students/{s}/subscriptions/{c}/webhook-secret", s, "no-such-class")
                .header("Authorization", "Bearer " + student(s)).exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("/problems/subscription-not-found");
    }

    // ---- email ownership ----

    @Test
    void anEmailEqualToTheTokensClaimIsActiveAtOnceIgnoringCase() {
        String classId = newClass();
        String s = newId("s");
        List<String> tokensBefore = redis.keys(keys.prefix() + "email-confirmation:*").collectList().block();
        JsonNode created = body(put(s, classId, studentWithEmail(s, "Ada.Lovelace@Uni.Example.EDU"),
                Map.of("email", "ada.lovelace@uni.example.edu")).expectStatus().isCreated());
        assertThat(created.path("email").asString()).isEqualTo("ada.lovelace@uni.example.edu");
        assertThat(created.path("emailStatus").asString()).isEqualTo("ACTIVE");
        assertThat(confirmationsFor(classId)).isEmpty();
        assertThat(redis.keys(keys.prefix() + "email-confirmation:*").collectList().block())
                .containsExactlyInAnyOrderElementsOf(tokensBefore);
    }

    @Test
    void anotherEmailIsPendingUntilTheOneTimeLinkIsFollowed() {
        String prof = newId("prof");
        String classId = createClassId(prof, 5, 5);
        String s = newId("s");
        String bearer = studentWithEmail(s, s + "@uni.example.edu");
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        JsonNode created = body(http.put().uri("/students/{s}/subscriptions/{c}", s, classId)
                .header("Authorization", "Bearer " + bearer).header("traceparent", traceparent)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("email", "ada@home.example.org"))
                .exchange().expectStatus().isCreated());
        assertThat(created.path("emailStatus").asString()).isEqualTo("PENDING");

        List<Map<Object, Object>> events = confirmationsFor(classId);
        assertThat(events).hasSize(1);
        Map<Object, Object> e = events.get(0);
        assertThat(e.keySet()).containsExactlyInAnyOrder("type", "eventId", "occurredAt", "studentId", "classId", "department",
                "courseCode", "section", "title", "email", "confirmationUrl", "expiresAt", "traceparent");
        assertThat(e).containsEntry("studentId", s).containsEntry("classId", classId).containsEntry("email", "ada@home.example.org")
                .containsEntry("department", "CPSC").containsEntry("section", "01").containsEntry("title", "Back-end Engineering")
                .hasEntrySatisfying("traceparent", t -> assertThat((String) t).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
        assertThat((String) e.get("eventId")).matches("[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        long occurredAt = Long.parseLong((String) e.get("occurredAt"));
        long expiresAt = Long.parseLong((String) e.get("expiresAt"));
        assertThat(occurredAt).isGreaterThanOrEqualTo(before.toEpochMilli() * 1000);
        assertThat(expiresAt - occurredAt).isEqualTo(Duration.ofHours(24).toNanos() / 1000);
        String url = (String) e.get("confirmationUrl");
        assertThat(url).startsWith(CONFIRMATION_PREFIX);
        String token = url.substring(CONFIRMATION_PREFIX.length());
        assertThat(token).matches("[A-Za-z0-9_-]{43}");

        // Only the token's SHA-256 is stored, for 24 hours.
        String tokenKey = keys.emailConfirmation(SubscriptionService.sha256Hex(token));
        assertThat(redis.opsForHash().entries(tokenKey).collectMap(Map.Entry::getKey, Map.Entry::getValue).block())
                .containsEntry("studentId", s).containsEntry("classId", classId).containsEntry("email", "ada@home.example.org")
                .doesNotContainValue(token);
        assertThat(redis.getExpire(tokenKey).block()).isBetween(Duration.ofHours(24).minusMinutes(1), Duration.ofHours(24));
        assertThat(redis.keys(keys.prefix() + "*" + token + "*").collectList().block()).isEmpty();

        // Following the link needs no bearer token; it activates the address and is used up.
        JsonNode confirmed = body(http.get().uri(url.substring(url.indexOf("/api/v1") + 7)).exchange().expectStatus().isOk()
                .expectHeader().valueEquals("Cache-Control", "no-store")
                .expectHeader().valueEquals("Referrer-Policy", "no-referrer"));
        assertThat(fieldNames(confirmed)).containsExactly("classId", "email", "emailStatus");
        assertThat(confirmed.path("classId").asString()).isEqualTo(classId);
        assertThat(confirmed.path("email").asString()).isEqualTo("ada@home.example.org");
        assertThat(confirmed.path("emailStatus").asString()).isEqualTo("ACTIVE");
        assertThat(redis.hasKey(tokenKey).block()).isFalse();
        assertThat(getJson("/students/{s}/subscriptions", bearer, s).path("items").get(0).path("emailStatus").asString())
                .isEqualTo("ACTIVE");

        confirm(HttpMethod.GET, token).expectStatus().isNotFound().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/confirmation-not-found");
        confirm(HttpMethod.POST, token).expectStatus().isNotFound();
    }

    @Test
    void postConfirmsTooHeadDoesNotUseTheTokenUpAndUnknownTokensAre404() {
        String classId = newClass();
        String s = newId("s");
        String token = subscribePending(s, classId, "ada@home.example.org");

        confirm(HttpMethod.HEAD, token).expectStatus().isEqualTo(405).expectHeader().valueMatches("Allow", ".*GET.*");
        confirm(HttpMethod.POST, token).expectStatus().isOk().expectBody().jsonPath("$.emailStatus").isEqualTo("ACTIVE");
        confirm(HttpMethod.POST, token).expectStatus().isNotFound();

        var before = snapshot();
        for (String unknown : List.of("A".repeat(43), "short", "x".repeat(200), token.substring(1) + "A")) {
            confirm(HttpMethod.GET, unknown).expectStatus().isNotFound()
                    .expectBody().jsonPath("$.type").isEqualTo("/problems/confirmation-not-found");
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void reputtingAnUnchangedActiveEmailKeepsItActiveAndAPendingOneGetsAFreshLink() {
        String classId = newClass();
        String s = newId("s");
        String first = subscribePending(s, classId, "ada@home.example.org");

        // Unchanged but still pending: a fresh token, and the earlier one still confirms the same address.
        put(s, classId, student(s), Map.of("email", "ada@home.example.org")).expectStatus().isOk()
                .expectBody().jsonPath("$.emailStatus").isEqualTo("PENDING");
        assertThat(confirmationsFor(classId)).hasSize(2);
        String second = latestToken(classId);
        assertThat(second).isNotEqualTo(first);
        assertThat(redis.hasKey(keys.emailConfirmation(SubscriptionService.sha256Hex(second))).block()).isTrue();

        confirm(HttpMethod.GET, first).expectStatus().isOk();
        // Confirmed: re-PUT (in another letter case, without the claim) stays ACTIVE and mails nothing.
        put(s, classId, student(s), Map.of("email", "Ada@Home.Example.org", "webhookUrl", HOOK)).expectStatus().isOk()
                .expectBody().jsonPath("$.emailStatus").isEqualTo("ACTIVE").jsonPath("$.email").isEqualTo("Ada@Home.Example.org");
        assertThat(confirmationsFor(classId)).hasSize(2);
        // The other outstanding link for the same address is harmless: it is used up, the status stays.
        confirm(HttpMethod.GET, second).expectStatus().isOk().expectBody().jsonPath("$.emailStatus").isEqualTo("ACTIVE");

        // A different address starts over as PENDING.
        put(s, classId, student(s), Map.of("email", "ada@work.example.org")).expectStatus().isOk()
                .expectBody().jsonPath("$.emailStatus").isEqualTo("PENDING");
        assertThat(confirmationsFor(classId)).hasSize(3);
    }

    @Test
    void aLinkForAnAddressReplacedOrRemovedMeanwhileIsGone() {
        String classId = newClass();
        String s = newId("s");
        String oldToken = subscribePending(s, classId, "old@example.org");
        put(s, classId, student(s), Map.of("email", "new@example.org")).expectStatus().isOk();
        String newToken = latestToken(classId);

        confirm(HttpMethod.GET, oldToken).expectStatus().isEqualTo(410).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/confirmation-superseded");
        assertThat(subscriptionHash(s, classId)).containsEntry("email", "new@example.org").containsEntry("emailStatus", "PENDING");
        confirm(HttpMethod.GET, oldToken).expectStatus().isNotFound();

        http.delete().uri("/students/{s}/subscriptions/{c}", s, classId).header("Authorization", "Bearer " + student(s))
                .exchange().expectStatus().isNoContent();
        confirm(HttpMethod.POST, newToken).expectStatus().isEqualTo(410);
        assertThat(redis.hasKey(keys.subscription(s, classId)).block()).isFalse();
    }

    @Test
    void anExpiredLinkIs404AndLeavesTheAddressPending() {
        String classId = newClass();
        String s = newId("s");
        String token = subscribePending(s, classId, "late@example.org");
        String tokenKey = keys.emailConfirmation(SubscriptionService.sha256Hex(token));
        assertThat(redis.getExpire(tokenKey).block()).isPositive();

        // Let Redis expire it now instead of in 24 hours.
        redis.expire(tokenKey, Duration.ofMillis(1)).block();
        await().atMost(Duration.ofSeconds(5)).until(() -> !redis.hasKey(tokenKey).block());

        confirm(HttpMethod.GET, token).expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("/problems/confirmation-not-found");
        assertThat(subscriptionHash(s, classId)).containsEntry("emailStatus", "PENDING");
    }

    // ---- webhook secrets ----

    @Test
    void theSigningSecretIsCreatedOnceStoredEncryptedAndKeptWhenTheUrlChanges() {
        String classId = newClass();
        String s = newId("s");
        String secret = body(put(s, classId, student(s), Map.of("webhookUrl", HOOK)).expectStatus().isCreated())
                .path("webhookSecret").asString();
        assertThat(secret).matches("whsec_[A-Za-z0-9+/]{43}=");

        String stored = (String) subscriptionHash(s, classId).get("webhookSecret");
        assertThat(stored).isNotEqualTo(secret).doesNotContain(secret.substring(6));
        assertThat(cipher.decrypt(stored, s, classId)).isEqualTo(secret);
        assertThatThrownBy(() -> cipher.decrypt(stored, newId("s"), classId)).isInstanceOf(IllegalArgumentException.class);
        assertThat(snapshotValues()).noneMatch(v -> v.contains(secret.substring(6)));

        JsonNode changed = body(put(s, classId, student(s), Map.of("webhookUrl", OTHER_HOOK)).expectStatus().isOk());
        assertThat(changed.has("webhookSecret")).isFalse();
        assertThat(cipher.decrypt((String) subscriptionHash(s, classId).get("webhookSecret"), s, classId)).isEqualTo(secret);

        // Removing the webhook removes its secret; setting one again creates a new secret.
        put(s, classId, student(s), Map.of("email", "a@example.org")).expectStatus().isOk();
        assertThat(subscriptionHash(s, classId)).doesNotContainKey("webhookSecret");
        String fresh = body(put(s, classId, student(s), Map.of("webhookUrl", HOOK)).expectStatus().isOk())
                .path("webhookSecret").asString();
        assertThat(fresh).startsWith("whsec_").isNotEqualTo(secret);
    }

    @Test
    void rotationReturnsANewSecretAndKeepsTheOldOneFor24Hours() {
        String classId = newClass();
        String s = newId("s");
        String original = body(put(s, classId, student(s), Map.of("webhookUrl", HOOK)).expectStatus().isCreated())
                .path("webhookSecret").asString();

        Instant before = Instant.now();
        JsonNode rotated = body(rotate(s, classId).expectStatus().isOk().expectHeader().valueEquals("Cache-Control", "no-store"));
        assertThat(fieldNames(rotated)).containsExactly("webhookSecret", "previousSecretValidUntil");
        String next = rotated.path("webhookSecret").asString();
        assertThat(next).startsWith("whsec_").isNotEqualTo(original);
        Instant validUntil = Instant.parse(rotated.path("previousSecretValidUntil").asString());
        assertThat(validUntil).isBetween(before.plus(Duration.ofHours(24)).minusSeconds(5), Instant.now().plus(Duration.ofHours(24)).plusSeconds(5));

        Map<Object, Object> stored = subscriptionHash(s, classId);
        assertThat(cipher.decrypt((String) stored.get("webhookSecret"), s, classId)).isEqualTo(next);
        assertThat(cipher.decrypt((String) stored.get("webhookSecretPrevious"), s, classId)).isEqualTo(original);
        long untilMicros = Long.parseLong((String) stored.get("webhookSecretPreviousUntil"));
        assertThat(untilMicros).isEqualTo(validUntil.getEpochSecond() * 1_000_000 + validUntil.getNano() / 1000);

        // Rotating again: the previous secret is now the one from the first rotation.
        String third = body(rotate(s, classId).expectStatus().isOk()).path("webhookSecret").asString();
        stored = subscriptionHash(s, classId);
        assertThat(cipher.decrypt((String) stored.get("webhookSecret"), s, classId)).isEqualTo(third);
        assertThat(cipher.decrypt((String) stored.get("webhookSecretPrevious"), s, classId)).isEqualTo(next);

        // Changing the URL keeps both; the list still shows no secret.
        put(s, classId, student(s), Map.of("webhookUrl", OTHER_HOOK)).expectStatus().isOk();
        assertThat(subscriptionHash(s, classId)).containsKeys("webhookSecret", "webhookSecretPrevious", "webhookSecretPreviousUntil");
        assertThat(getJson("/students/{s}/subscriptions", student(s), s).path("items").get(0).has("webhookSecret")).isFalse();
    }

    @Test
    void rotationNeedsAWebhook() {
        String classId = newClass();
        String s = newId("s");
        rotate(s, classId).expectStatus().isNotFound().expectBody().jsonPath("$.type").isEqualTo("/problems/subscription-not-found");
        put(s, classId, student(s), Map.of("email", "a@example.org")).expectStatus().isCreated();
        var before = snapshot();
        rotate(s, classId).expectStatus().isNotFound().expectBody().jsonPath("$.type").isEqualTo("/problems/webhook-not-found");
        assertThat(snapshot()).isEqualTo(before);
    }

    // ---- promotion events and class deletion ----

    @Test
    void aPromotionCarriesTheActiveEmailAndTheWebhookUrlButNoSecret() {
        String classId = createClassId(newId("prof"), 1, 5);
        String a = newId("s"), b = newId("s"), c = newId("s");
        enroll(classId, a).expectStatus().isCreated();
        enroll(classId, b).expectStatus().isAccepted();
        enroll(classId, c).expectStatus().isAccepted();
        put(b, classId, studentWithEmail(b, b + "@uni.example.edu"), Map.of("email", b + "@uni.example.edu", "webhookUrl", HOOK))
                .expectStatus().isCreated();
        put(c, classId, student(c), Map.of("email", c + "@home.example.org", "webhookUrl", OTHER_HOOK)).expectStatus().isCreated();
        rotate(c, classId).expectStatus().isOk();

        drop(classId, a, student(a)).expectStatus().isNoContent();
        drop(classId, b, student(b)).expectStatus().isNoContent();

        List<Map<Object, Object>> promoted = outboxFor(classId).stream()
                .filter(e -> "EnrollmentPromoted".equals(e.get("type"))).toList();
        assertThat(promoted).hasSize(2);
        assertThat(promoted.get(0)).containsEntry("studentId", b).containsEntry("email", b + "@uni.example.edu")
                .containsEntry("webhookUrl", HOOK);
        // c's address is still PENDING: only the webhook.
        assertThat(promoted.get(1)).containsEntry("studentId", c).containsEntry("webhookUrl", OTHER_HOOK).doesNotContainKey("email");

        List<String> storedSecrets = List.of(
                (String) subscriptionHash(b, classId).get("webhookSecret"),
                (String) subscriptionHash(c, classId).get("webhookSecret"),
                (String) subscriptionHash(c, classId).get("webhookSecretPrevious"));
        for (Map<Object, Object> e : promoted) {
            assertThat(e.keySet()).noneMatch(k -> k.toString().toLowerCase().contains("secret"));
            assertThat(e.values()).noneMatch(v -> v.toString().contains("whsec_") || storedSecrets.contains(v.toString()));
        }
    }

    @Test
    void deletingTheClassRemovesItsSubscriptionsAndVoidsOutstandingLinks() {
        String classId = newClass();
        String keep = newClass();
        String a = newId("s"), b = newId("s");
        put(a, classId, student(a), Map.of("webhookUrl", HOOK)).expectStatus().isCreated();
        String token = subscribePending(b, classId, "b@example.org");
        put(a, keep, student(a), Map.of("webhookUrl", HOOK)).expectStatus().isCreated();

        http.delete().uri("/classes/{c}", classId).header("Authorization", "Bearer " + registrar())
                .exchange().expectStatus().isNoContent();

        assertThat(getJson("/students/{s}/subscriptions", student(a), a).path("items").valueStream()
                .map(i -> i.path("classId").asString())).containsExactly(keep);
        assertThat(getJson("/students/{s}/subscriptions", student(b), b).path("items")).isEmpty();
        assertThat(redis.hasKey(keys.subscription(a, classId)).block()).isFalse();
        assertThat(redis.hasKey(keys.subscription(b, classId)).block()).isFalse();
        assertThat(redis.hasKey(keys.classSubscribers(classId)).block()).isFalse();
        confirm(HttpMethod.GET, token).expectStatus().isEqualTo(410);
        put(a, classId, student(a), Map.of("webhookUrl", HOOK)).expectStatus().isNotFound();
    }

    // ---- helpers ----

    String newClass() {
        return createClassId(newId("prof"), 5, 5);
    }

    /** Subscribes a new PENDING address and answers the token of the confirmation link it mailed. */
    String subscribePending(String studentId, String classId, String email) {
        put(studentId, classId, student(studentId), Map.of("email", email)).expectStatus().isCreated()
                .expectBody().jsonPath("$.emailStatus").isEqualTo("PENDING");
        return latestToken(classId);
    }

    static String studentWithEmail(String id, String email) {
        return sign(SECRET, id, List.of("student"), email, Instant.now().plus(Duration.ofHours(1)));
    }

    WebTestClient.ResponseSpec put(String studentId, String classId, String bearer, Object body) {
        return http.put().uri("/students/{s}/subscriptions/{c}", studentId, classId)
                .header("Authorization", "Bearer " + bearer)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    WebTestClient.ResponseSpec rotate(String studentId, String classId) {
        return http.post().uri("/students/{s}/subscriptions/{c}/webhook-secret", studentId, classId)
                .header("Authorization", "Bearer " + student(studentId)).exchange();
    }

    WebTestClient.ResponseSpec confirm(HttpMethod method, String token) {
        return http.method(method).uri("/email-confirmations/{t}", token).exchange();
    }

    JsonNode body(WebTestClient.ResponseSpec response) {
        return json.readTree(response.expectBody().returnResult().getResponseBody());
    }

    static List<String> fieldNames(JsonNode node) {
        return node.propertyNames().stream().toList();
    }

    static void assertForbidden(WebTestClient.ResponseSpec response) {
        response.expectStatus().isForbidden().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/forbidden");
    }

    Map<Object, Object> subscriptionHash(String studentId, String classId) {
        return redis.opsForHash().entries(keys.subscription(studentId, classId))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue, HashMap::new).block();
    }

    List<Map<Object, Object>> confirmationsFor(String classId) {
        return outboxFor(classId).stream().filter(e -> "EmailConfirmationRequested".equals(e.get("type"))).toList();
    }

    String latestToken(String classId) {
        List<Map<Object, Object>> events = confirmationsFor(classId);
        assertThat(events).isNotEmpty();
        String url = (String) events.get(events.size() - 1).get("confirmationUrl");
        return url.substring(url.lastIndexOf('/') + 1);
    }

    /** Every string value under this suite's prefix (strings, hash fields and values, stream entries). */
    List<String> snapshotValues() {
        String script = "local out = {} for _, k in ipairs(redis.call('KEYS', ARGV[1])) do "
                + "local t = redis.call('TYPE', k).ok "
                + "if t == 'hash' then for _, v in ipairs(redis.call('HGETALL', k)) do out[#out + 1] = v end "
                + "elseif t == 'stream' then for _, e in ipairs(redis.call('XRANGE', k, '-', '+')) do "
                + "  for _, v in ipairs(e[2]) do out[#out + 1] = v end end "
                + "elseif t == 'string' then out[#out + 1] = redis.call('GET', k) end end "
                + "return cjson.encode(out)";
        String reply = redis.execute(org.springframework.data.redis.core.script.RedisScript.of(script, String.class),
                List.of(), List.of(keys.prefix() + "*")).next().block();
        JsonNode values = json.readTree(reply);
        assertThat(values.size()).isPositive();
        return values.valueStream().map(JsonNode::asString).toList();
    }
}
