package io.seatwatch.api.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.seatwatch.api.ApiTestSupport;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Every way a PUT body can be wrong: 400 {@code validation-failed} (or {@code malformed-json}) as
 * problem+json, with the exact pointers, and nothing written to Redis.
 */
@TestPropertySource(properties = "seatwatch.redis.key-prefix=sw:v1:test:subscription-validation:")
class SubscriptionValidationTest extends ApiTestSupport {

    private static final String HOOK = "https://203.0.113.10/hook";

    private String classId;
    private String studentId;

    @BeforeEach
    void aClassAndAStudent() {
        classId = createClassId(newId("prof"), 5, 5);
        studentId = newId("s");
    }

    static Stream<Arguments> invalidBodies() {
        String local65 = "l".repeat(65);
        String label64 = "d".repeat(64);
        String longest = "l".repeat(64) + "@" + "d".repeat(63) + "." + "d".repeat(63) + "." + "d".repeat(57) + ".com";
        return Stream.of(
                // at least one channel
                Arguments.of("{}", List.of("")),
                Arguments.of("{\"email\": null, \"webhookUrl\": null}", List.of("")),
                // unknown properties and wrong types
                Arguments.of("{\"email\": \"a@example.org\", \"phone\": \"555\"}", List.of("/phone")),
                Arguments.of("{\"email\": \"a@example.org\", \"webhookSecret\": \"whsec_x\"}", List.of("/webhookSecret")),
                Arguments.of("{\"email\": \"a@example.org\", \"emailStatus\": \"ACTIVE\"}", List.of("/emailStatus")),
                Arguments.of("{\"email\": 5}", List.of("/email")),
                Arguments.of("{\"email\": [\"a@example.org\"]}", List.of("/email")),
                Arguments.of("{\"webhookUrl\": true}", List.of("/webhookUrl")),
                Arguments.of("[]", List.of("")),
                Arguments.of("\"a@example.org\"", List.of("")),
                // email syntax and limits
                Arguments.of(email(""), List.of("/email")),
                Arguments.of(email("plain"), List.of("/email")),
                Arguments.of(email("a@example"), List.of("/email")),
                Arguments.of(email(".a@example.org"), List.of("/email")),
                Arguments.of(email("a..b@example.org"), List.of("/email")),
                Arguments.of(email("a b@example.org"), List.of("/email")),
                Arguments.of(email(" a@example.org"), List.of("/email")),
                Arguments.of(email("a@b@example.org"), List.of("/email")),
                Arguments.of(email("\\\"q\\\"@example.org"), List.of("/email")),
                Arguments.of(email("a@-example.org"), List.of("/email")),
                Arguments.of(email("a@exa_mple.org"), List.of("/email")),
                Arguments.of(email("a@example..org"), List.of("/email")),
                Arguments.of(email("a@192.168.1.1"), List.of("/email")),
                Arguments.of(email("a@[192.168.1.1]"), List.of("/email")),
                Arguments.of(email("ädä@example.org"), List.of("/email")),
                Arguments.of(email("a@example.org\\r\\nBcc: everyone@example.org"), List.of("/email")),
                Arguments.of(email("a@example.org\\n"), List.of("/email")),
                Arguments.of(email("a\\u0000@example.org"), List.of("/email")),
                Arguments.of(email(local65 + "@example.org"), List.of("/email")),
                Arguments.of(email("a@" + label64 + ".org"), List.of("/email")),
                Arguments.of(email("l" + longest), List.of("/email")),
                // webhook URL syntax
                Arguments.of(hook(""), List.of("/webhookUrl")),
                Arguments.of(hook("/relative"), List.of("/webhookUrl")),
                Arguments.of(hook("http://203.0.113.10/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("ftp://203.0.113.10/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://user:pw@203.0.113.10/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://203.0.113.10/hook#part"), List.of("/webhookUrl")),
                Arguments.of(hook("https://203.0.113.10/a b"), List.of("/webhookUrl")),
                Arguments.of(hook("https://203.0.113.10/\\r\\nHost: evil"), List.of("/webhookUrl")),
                Arguments.of(hook("https://under_score.example.org/"), List.of("/webhookUrl")),
                Arguments.of(hook("https://203.0.113.10:0/"), List.of("/webhookUrl")),
                Arguments.of(hook("https://203.0.113.10/" + "a".repeat(2049 - 21)), List.of("/webhookUrl")),
                Arguments.of(hook("https://0x7f000001/"), List.of("/webhookUrl")),
                Arguments.of(hook("https://2130706433/"), List.of("/webhookUrl")),
                Arguments.of(hook("https://0177.0.0.1/"), List.of("/webhookUrl")),
                // webhook hosts that resolve where webhooks may not go, or nowhere
                Arguments.of(hook("https://127.0.0.1/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://localhost:8443/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://10.1.2.3/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://172.16.0.1/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://192.168.1.1/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://100.64.0.1/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://169.254.169.254/latest/meta-data/"), List.of("/webhookUrl")),
                Arguments.of(hook("https://0.0.0.0/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://224.0.0.1/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://255.255.255.255/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://[::1]/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://[::ffff:127.0.0.1]/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://[::ffff:a9fe:a9fe]/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://[fd00::1]/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://[fe80::1]/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://[64:ff9b::a00:1]/hook"), List.of("/webhookUrl")),
                Arguments.of(hook("https://no-such-host.invalid/hook"), List.of("/webhookUrl")),
                // both at once: every problem is reported
                Arguments.of("{\"email\": \"nope\", \"webhookUrl\": \"http://203.0.113.10/\"}", List.of("/email", "/webhookUrl")),
                Arguments.of("{\"email\": \"nope\", \"webhookUrl\": \"https://127.0.0.1/\"}", List.of("/email", "/webhookUrl")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("invalidBodies")
    void invalidBodiesAre400WithPointersAndWriteNothing(String body, List<String> pointers) {
        Map<String, String> before = snapshot();
        byte[] response = http.put().uri("/students/{s}/subscriptions/{c}", studentId, classId)
                .header("Authorization", "Bearer " + student(studentId))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/validation-failed")
                .jsonPath("$.status").isEqualTo(400)
                .returnResult().getResponseBody();
        JsonNode problem = json.readTree(response);
        assertThat(problem.path("errors").valueStream().map(e -> e.path("pointer").asString())).containsExactlyElementsOf(pointers);
        assertThat(problem.path("errors").valueStream().map(e -> e.path("detail").asString())).allMatch(d -> !d.isBlank());
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void theAddressProblemNamesTheAddressAndItsKind() {
        JsonNode problem = json.readTree(http.put().uri("/students/{s}/subscriptions/{c}", studentId, classId)
                .header("Authorization", "Bearer " + student(studentId))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(hook("https://169.254.169.254/latest/meta-data/"))
                .exchange().expectStatus().isBadRequest().expectBody().returnResult().getResponseBody());
        assertThat(problem.path("errors").get(0).path("detail").asString())
                .isEqualTo("host 169.254.169.254 resolves to 169.254.169.254, a link-local or cloud metadata address"
                        + " (169.254.0.0/16); webhooks must reach a public address");
        assertThat(problem.path("detail").asString()).startsWith("/webhookUrl: host 169.254.169.254");
    }

    @Test
    void theLongestValuesAllowedAreAccepted() {
        String longest = "l".repeat(64) + "@" + "d".repeat(63) + "." + "d".repeat(63) + "." + "d".repeat(57) + ".com";
        String longUrl = "https://203.0.113.10/" + "a".repeat(2048 - 21);
        assertThat(longest).hasSize(254);
        assertThat(longUrl).hasSize(2048);
        http.put().uri("/students/{s}/subscriptions/{c}", studentId, classId)
                .header("Authorization", "Bearer " + student(studentId))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("email", longest, "webhookUrl", longUrl))
                .exchange().expectStatus().isCreated()
                .expectBody().jsonPath("$.email").isEqualTo(longest).jsonPath("$.webhookUrl").isEqualTo(longUrl);
    }

    @Test
    void malformedJsonAMissingBodyAndBadIdsAre400() {
        Map<String, String> before = snapshot();
        http.put().uri("/students/{s}/subscriptions/{c}", studentId, classId).header("Authorization", "Bearer " + student(studentId))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"email\": ").exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.type").isEqualTo("/problems/malformed-json");
        http.put().uri("/students/{s}/subscriptions/{c}", studentId, classId).header("Authorization", "Bearer " + student(studentId))
                .contentType(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isBadRequest().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        http.put().uri("/students/{s}/subscriptions/{c}", studentId, "bad.id").header("Authorization", "Bearer " + student(studentId))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("email", "a@example.org")).exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].parameter").isEqualTo("classId");
        http.put().uri("/students/{s}/subscriptions/{c}", "x".repeat(65), classId).header("Authorization", "Bearer " + student(studentId))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("email", "a@example.org")).exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].parameter").isEqualTo("studentId");
        http.get().uri("/students/{s}/subscriptions", "bad id").header("Authorization", "Bearer " + registrar()).exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].parameter").isEqualTo("studentId");
        http.delete().uri("/students/{s}/subscriptions/{c}", studentId, "bad.id").header("Authorization", "Bearer " + student(studentId))
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].parameter").isEqualTo("classId");
        http.post().uri("/students/{s}/subscriptions/{c}/webhook-secret", studentId, "bad.id")
                .header("Authorization", "Bearer " + student(studentId)).exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].parameter").isEqualTo("classId");
        assertThat(snapshot()).isEqualTo(before);
    }

    private static String email(String value) {
        return "{\"email\": \"" + value + "\"}";
    }

    private static String hook(String value) {
        return "{\"webhookUrl\": \"" + value + "\"}";
    }
}
