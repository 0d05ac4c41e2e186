package io.seatwatch.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.seatwatch.api.ApiTestSupport;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The api refuses to start with a JWT secret under 32 bytes, and serves actuator only on the
 * management port (without a token there, never on the public port).
 */
@TestPropertySource(properties = "seatwatch.redis.key-prefix=sw:v1:test:startup:")
class StartupAndManagementTest extends ApiTestSupport {

    @LocalManagementPort
    private int managementPort;

    // ---------------------------------------------------------------- startup

    /** Starts a second, independent api with this secret and these further arguments (see {@link #startApi}). */
    private static ConfigurableApplicationContext start(String secret, String... more) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--management.server.port=0",
                "--seatwatch.redis.key-prefix=sw:v1:test:startup:other:",
                "--spring.main.banner-mode=off",
                // everything else it needs, so that only the JWT secret can stop it
                "--seatwatch.webhooks.secret-key=" + WEBHOOK_SECRET_KEY,
                "--seatwatch.relay.enabled=false",
                "--seatwatch.security.jwt.issuer-uri=", "--seatwatch.security.jwt.jwk-set-uri=",
                "--seatwatch.security.jwt.secret=" + secret));
        args.addAll(List.of(more));
        return startApi(args.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "short", "0123456789012345678901234567890", "éééééééééééééééa"})
    void refusesToStartWithASecretUnder32Bytes(String secret) {
        assertThat(secret.getBytes(StandardCharsets.UTF_8).length).isLessThan(32);
        assertThatThrownBy(() -> start(secret).close())
                .rootCause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SEATWATCH_JWT_SECRET")
                .hasMessageContaining("32 bytes");
    }

    @Test
    void startsWithASecretOfExactly32Bytes() {
        // 16 two-byte characters: the minimum counts bytes, not characters
        String secret = "é".repeat(16);
        assertThat(secret.getBytes(StandardCharsets.UTF_8)).hasSize(32);
        try (ConfigurableApplicationContext context = start(secret)) {
            assertThat(context.isActive()).isTrue();
            String apiPort = context.getEnvironment().getProperty("local.server.port");
            assertThat(apiPort).isNotNull().isNotEqualTo(Integer.toString(port));
            WebTestClient.bindToServer().baseUrl("http://localhost:" + apiPort).build()
                    .get().uri("/api/v1/ping").header("Authorization", "Bearer " + sign(secret, "s-1",
                            List.of("student"), null, Instant.now().plusSeconds(600)))
                    .exchange().expectStatus().isOk().expectBody().jsonPath("$.ok").isEqualTo(true);
        }
    }

    /**
     * A pod that starts while Redis is away (a Redis restart, a rollout of both) comes up not ready instead of
     * crash-looping, and serves traffic once readiness sees Redis again.
     */
    @Test
    void startsWhileRedisIsDownAndSaysSoThroughReadiness() throws Exception {
        int closed;
        try (ServerSocket probe = new ServerSocket(0)) {
            closed = probe.getLocalPort();
        }
        String secret = "0123456789abcdef0123456789abcdef";
        try (ConfigurableApplicationContext context = start(secret, "--spring.data.redis.port=" + closed,
                "--spring.data.redis.timeout=500ms")) {
            WebTestClient managementOfIt = WebTestClient.bindToServer().responseTimeout(Duration.ofSeconds(30))
                    .baseUrl("http://localhost:" + context.getEnvironment().getProperty("local.management.port")).build();
            managementOfIt.get().uri("/actuator/health/liveness").exchange()
                    .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("UP");
            managementOfIt.get().uri("/actuator/health/readiness").exchange()
                    .expectStatus().isEqualTo(503).expectBody().jsonPath("$.status").isEqualTo("DOWN");
            WebTestClient api = WebTestClient.bindToServer().responseTimeout(Duration.ofSeconds(30))
                    .baseUrl("http://localhost:" + context.getEnvironment().getProperty("local.server.port")).build();
            String token = sign(secret, "s-1", List.of("student"), null, Instant.now().plusSeconds(600));
            // The position and its live stream (whose Redis subscription is only set up on first use) both
            // answer 503, not 500.
            for (MediaType accept : new MediaType[] {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM}) {
                api.get().uri("/api/v1/classes/c-1/waitlist/s-1").accept(accept)
                        .header("Authorization", "Bearer " + token)
                        .exchange().expectStatus().isEqualTo(503)
                        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                        .expectBody().jsonPath("$.type").isEqualTo("/problems/unavailable");
            }
        }
    }

    // ---------------------------------------------------------------- management port

    private WebTestClient management() {
        return WebTestClient.bindToServer().baseUrl("http://localhost:" + managementPort)
                .responseTimeout(Duration.ofSeconds(30)).build();
    }

    private WebTestClient publicPort() {
        return WebTestClient.bindToServer().baseUrl("http://localhost:" + port)
                .responseTimeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void healthIsServedOnTheManagementPortWithoutAToken() {
        assertThat(managementPort).isPositive().isNotEqualTo(port);
        management().get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP")
                // nothing about the infrastructure is revealed to an anonymous caller
                .jsonPath("$.components").doesNotExist()
                .jsonPath("$.details").doesNotExist();
        for (String probe : new String[] {"/actuator/health/liveness", "/actuator/health/readiness"}) {
            management().get().uri(probe).exchange()
                    .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("UP");
        }
    }

    @Test
    void theManagementPortExposesOnlyHealthInfoAndPrometheus() {
        management().get().uri("/actuator/info").exchange().expectStatus().isOk().expectBody().json("{}");
        management().get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body).contains("jvm_memory_used_bytes")
                        .contains("process_uptime_seconds"));
        // Every backing service's status, without details (hosts, versions) on this unauthenticated port.
        management().get().uri("/actuator/health/dependencies").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.components.redis.status").isEqualTo("UP")
                .jsonPath("$.components.rabbit.status").exists()
                .jsonPath("$.components.redis.details").doesNotExist();
        for (String path : new String[] {"/actuator/env", "/actuator/beans", "/actuator/configprops",
                "/actuator/heapdump", "/actuator/mappings", "/actuator/loggers", "/actuator/shutdown", "/actuator/metrics"}) {
            management().get().uri(path).exchange().expectStatus().isNotFound()
                    .expectBody().jsonPath("$.type").isEqualTo("/problems/not-found");
        }
        management().post().uri("/actuator/shutdown").exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("/problems/not-found");
        management().get().uri("/actuator/health").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void theManagementPortDoesNotServeTheApi() {
        management().get().uri("/api/v1/ping").exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.ok").doesNotExist();
        management().get().uri("/api/v1/ping").header("Authorization", "Bearer " + student("s-1")).exchange()
                .expectStatus().isNotFound().expectBody().jsonPath("$.ok").doesNotExist();
        management().get().uri("/api/v1/classes").header("Authorization", "Bearer " + registrar()).exchange()
                .expectStatus().isNotFound().expectBody().jsonPath("$.items").doesNotExist();
    }

    @Test
    void actuatorIsNotOnThePublicPort() {
        for (String path : new String[] {"/actuator/health", "/actuator", "/actuator/info",
                "/actuator/health/liveness", "/actuator/health/readiness", "/actuator/env"}) {
            publicPort().get().uri(path).exchange()
                    .expectStatus().isUnauthorized()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectHeader().valueEquals("WWW-Authenticate", "Bearer")
                    .expectBody().jsonPath("$.type").isEqualTo("/problems/unauthorized")
                    .jsonPath("$.status").isEqualTo(401);
        }
    }

    @Test
    void actuatorIsNotOnThePublicPortEvenWithAToken() {
        for (String path : new String[] {"/actuator/health", "/actuator", "/actuator/info",
                "/actuator/health/liveness", "/actuator/health/readiness", "/actuator/env"}) {
            publicPort().get().uri(path).header("Authorization", "Bearer " + registrar()).exchange()
                    .expectStatus().isNotFound()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.type").isEqualTo("/problems/not-found");
        }
    }
}
