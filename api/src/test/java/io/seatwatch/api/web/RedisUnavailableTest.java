package io.seatwatch.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.seatwatch.api.ApiTestSupport;
import io.seatwatch.testsupport.TcpProxy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Redis not answering (down, failing over, overloaded past the command timeout) is a 503 the client may retry,
 * never a 500: found by the contention benchmark, where a cold burst of 1,000 enrolls timed some scripts out.
 */
@TestPropertySource(properties = "seatwatch.redis.key-prefix=sw:v1:test:redis-unavailable:")
class RedisUnavailableTest extends ApiTestSupport {

    @Test
    void aRequestWhileRedisDoesNotAnswerIsA503ProblemWithRetryAfterAndWorksOnceRedisIsBack() {
        try (TcpProxy redisProxy = new TcpProxy(6379);
             ConfigurableApplicationContext api = startApi("--server.port=0", "--management.server.port=0",
                     "--spring.main.banner-mode=off",
                     "--spring.data.redis.port=" + redisProxy.port(), "--spring.data.redis.timeout=500ms",
                     "--seatwatch.redis.key-prefix=sw:v1:test:redis-unavailable:",
                     "--seatwatch.security.jwt.secret=" + SECRET,
                     "--seatwatch.webhooks.secret-key=" + WEBHOOK_SECRET_KEY,
                     "--seatwatch.security.jwt.issuer-uri=", "--seatwatch.security.jwt.jwk-set-uri=",
                     "--seatwatch.relay.enabled=false")) {
            WebTestClient client = WebTestClient.bindToServer()
                    .baseUrl("http://localhost:" + api.getEnvironment().getProperty("local.server.port") + "/api/v1")
                    .responseTimeout(Duration.ofSeconds(30)).build();
            String classId = createClassId(newId("prof"), 5, 5);
            String student = newId("s");

            redisProxy.cut();
            client.post().uri("/classes/{c}/enrollments", classId).header("Authorization", "Bearer " + student(student))
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("studentId", student))
                    .exchange()
                    .expectStatus().isEqualTo(503)
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectHeader().valueEquals("Retry-After", "1")
                    .expectBody()
                    .jsonPath("$.type").isEqualTo("/problems/unavailable")
                    .jsonPath("$.status").isEqualTo(503)
                    .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("read the resource"));

            redisProxy.restore();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    client.post().uri("/classes/{c}/enrollments", classId).header("Authorization", "Bearer " + student(student))
                            .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("studentId", student))
                            .exchange().expectStatus().isCreated());
        }
    }
}
