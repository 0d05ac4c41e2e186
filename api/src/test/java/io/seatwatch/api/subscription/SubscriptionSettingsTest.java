package io.seatwatch.api.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.seatwatch.api.ApiTestSupport;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * The operator's switches: plain http and allow-listed internal ranges for webhooks, and the per-user write
 * rate limit, which subscription writes take only after every other check passed.
 */
@TestPropertySource(properties = {
        "seatwatch.redis.key-prefix=sw:v1:test:subscription-settings:",
        "seatwatch.webhooks.allow-http=true",
        "seatwatch.webhooks.allowed-cidrs=127.0.0.0/8, ::1/128, 10.20.0.0/16",
        "seatwatch.rate-limit.enabled=true",
        "seatwatch.rate-limit.writes-per-second=1",
        "seatwatch.rate-limit.burst=3"})
class SubscriptionSettingsTest extends ApiTestSupport {

    @Test
    void plainHttpAndAllowListedRangesAreAcceptedAndEverythingElseStillRefused() {
        String classId = newClass();
        // A student's bucket holds 3 writes here: one student per accepted URL.
        for (String accepted : new String[] {"http://127.0.0.1:9000/hook", "http://localhost:9000/hook",
                "https://10.20.30.40/hook", "https://[::1]:9000/hook"}) {
            put(newId("s"), classId, Map.of("webhookUrl", accepted)).expectStatus().isCreated()
                    .expectBody().jsonPath("$.webhookUrl").isEqualTo(accepted).jsonPath("$.webhookStatus").isEqualTo("ACTIVE");
        }

        for (String refused : new String[] {"https://10.21.0.1/hook", "https://192.168.0.10/hook", "https://169.254.169.254/",
                "https://[fd00::1]/hook", "ftp://127.0.0.1/hook"}) {
            put(newId("s"), classId, Map.of("webhookUrl", refused)).expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/webhookUrl");
        }
    }

    @Test
    void writesTakeARateLimitTokenOnlyAfterEveryOtherCheck() {
        String classId = newClass();
        String s = newId("s");
        // 400, 403 and 404 answers take no token from the student's bucket of 3.
        for (int i = 0; i < 4; i++) {
            put(s, classId, Map.of("email", "not an address")).expectStatus().isBadRequest();
            put(s, "no-such-class", Map.of("email", "a@example.org")).expectStatus().isNotFound();
            http.delete().uri("/students/{s}/subscriptions/{c}", s, classId).header("Authorization", "Bearer " + student(s))
                    .exchange().expectStatus().isNotFound();
            http.post().uri("/students/{s}/subscriptions/{c}/webhook-secret", s, classId)
                    .header("Authorization", "Bearer " + student(s)).exchange().expectStatus().isNotFound();
        }
        put(s, classId, Map.of("email", "a@example.org")).expectStatus().isCreated();
        put(s, classId, Map.of("email", "a@example.org", "webhookUrl", "https://203.0.113.10/h")).expectStatus().isOk();
        String url = (String) outboxFor(classId).get(outboxFor(classId).size() - 1).get("confirmationUrl");
        put(s, classId, Map.of("email", "a@example.org", "webhookUrl", "https://203.0.113.10/h")).expectStatus().isOk();

        // The bucket is empty now, and refills at 1 token/s: the refusals below come well within that second.
        Map<String, String> before = snapshot();
        // The confirmation link draws on the same student's bucket and stays usable when refused.
        http.get().uri(url.substring(url.indexOf("/api/v1") + 7)).exchange()
                .expectStatus().isEqualTo(429).expectHeader().exists("Retry-After");
        put(s, classId, Map.of("email", "c@example.org")).expectStatus().isEqualTo(429)
                .expectHeader().exists("Retry-After")
                .expectBody().jsonPath("$.type").isEqualTo("/problems/rate-limited");
        http.post().uri("/students/{s}/subscriptions/{c}/webhook-secret", s, classId)
                .header("Authorization", "Bearer " + student(s)).exchange().expectStatus().isEqualTo(429);
        http.delete().uri("/students/{s}/subscriptions/{c}", s, classId).header("Authorization", "Bearer " + student(s))
                .exchange().expectStatus().isEqualTo(429);
        assertThat(snapshot()).isEqualTo(before);

        // Another student's bucket is their own.
        String other = newId("s");
        put(other, classId, Map.of("email", "o@example.org")).expectStatus().isCreated();
    }

    private WebTestClient.ResponseSpec put(String studentId, String classId, Map<String, String> body) {
        return http.put().uri("/students/{s}/subscriptions/{c}", studentId, classId)
                .header("Authorization", "Bearer " + student(studentId))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    /** A class created by a registrar of its own, so that the registrar's rate limit is never in the way. */
    private String newClass() {
        byte[] body = http.post().uri("/classes").header("Authorization", "Bearer " + token(newId("reg"), "registrar"))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("department", "CPSC", "courseCode", newId("c"), "section", "01",
                        "title", "Back-end Engineering", "instructorId", newId("prof"), "capacity", 5))
                .exchange().expectStatus().isCreated().expectBody().returnResult().getResponseBody();
        JsonNode cls = json.readTree(body);
        return cls.path("id").asString();
    }
}
