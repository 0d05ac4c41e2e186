package io.seatwatch.api.conditional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.seatwatch.api.ApiTestSupport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;

/** The live position over server-sent events, consumed by a WebClient. */
@TestPropertySource(properties = {
        "seatwatch.redis.key-prefix=sw:v1:test:position-stream:",
        "seatwatch.position-stream.heartbeat=300ms"})
class PositionStreamTest extends ApiTestSupport {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {};

    private String classId;
    private String prof;
    private String enrolled;
    private String first;
    private String second;

    @BeforeEach
    void fixture() {
        prof = newId("prof");
        classId = createClassId(prof, 1, 10);
        enrolled = newId("s");
        first = newId("w");
        second = newId("w");
        enroll(classId, enrolled).expectStatus().isCreated();
        enroll(classId, first).expectStatus().isAccepted();
        enroll(classId, second).expectStatus().isAccepted();
    }

    /** Collects the stream of {@code student} in the background; events only, heartbeats counted apart. */
    private final class Recording {
        final List<ServerSentEvent<String>> events = new CopyOnWriteArrayList<>();
        final List<ServerSentEvent<String>> heartbeats = new CopyOnWriteArrayList<>();
        final AtomicBoolean completed = new AtomicBoolean();
        final Disposable subscription;

        Recording(String student, String bearer) {
            subscription = WebClient.create("http://localhost:" + port + "/api/v1").get()
                    .uri("/classes/{c}/waitlist/{s}", classId, student)
                    .header("Authorization", "Bearer " + bearer)
                    .accept(MediaType.TEXT_EVENT_STREAM)
                    .retrieve().bodyToFlux(SSE)
                    .subscribe(e -> (e.event() == null && e.comment() != null ? heartbeats : events).add(e),
                            error -> completed.set(true), () -> completed.set(true));
        }

        List<String> names() {
            return events.stream().map(ServerSentEvent::event).toList();
        }

        void awaitEvents(int n) {
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= n);
        }
    }

    @Test
    void sendsThePositionAtOnceAndOnEveryChangeThenPromotedAndEnds() {
        Recording r = new Recording(second, student(second));
        r.awaitEvents(1);
        assertThat(r.events.get(0).event()).isEqualTo("position");
        assertThat(r.events.get(0).data()).contains("\"position\":2");
        assertThat(r.events.get(0).id()).matches("[0-9]+");

        http.delete().uri("/classes/{c}/waitlist/{s}", classId, first).header("Authorization", "Bearer " + student(first))
                .exchange().expectStatus().isNoContent();
        r.awaitEvents(2);
        assertThat(r.events.get(1).event()).isEqualTo("position");
        assertThat(r.events.get(1).data()).contains("\"position\":1");
        assertThat(Long.parseLong(r.events.get(1).id())).isGreaterThan(Long.parseLong(r.events.get(0).id()));

        drop(classId, enrolled, student(enrolled)).expectStatus().isNoContent();
        r.awaitEvents(3);
        assertThat(r.events.get(2).event()).isEqualTo("promoted");
        assertThat(r.events.get(2).data()).contains("ENROLLED");
        await().atMost(Duration.ofSeconds(5)).untilTrue(r.completed);
        assertThat(r.names()).containsExactly("position", "position", "promoted");
    }

    @Test
    void leavingEndsTheStreamWithLeft() {
        Recording r = new Recording(second, student(second));
        r.awaitEvents(1);
        http.delete().uri("/classes/{c}/waitlist/{s}", classId, second).header("Authorization", "Bearer " + student(second))
                .exchange().expectStatus().isNoContent();
        await().atMost(Duration.ofSeconds(5)).untilTrue(r.completed);
        assertThat(r.names()).containsExactly("position", "left");
    }

    @Test
    void removalByTheInstructorEndsTheStreamWithRemoved() {
        Recording r = new Recording(second, instructor(prof));
        r.awaitEvents(1);
        http.delete().uri("/classes/{c}/waitlist/{s}", classId, second).header("Authorization", "Bearer " + instructor(prof))
                .exchange().expectStatus().isNoContent();
        await().atMost(Duration.ofSeconds(5)).untilTrue(r.completed);
        assertThat(r.names()).containsExactly("position", "removed");
    }

    @Test
    void deletingTheClassEndsTheStreamWithRemoved() {
        Recording r = new Recording(second, student(second));
        r.awaitEvents(1);
        http.delete().uri("/classes/{c}", classId).header("Authorization", "Bearer " + registrar())
                .exchange().expectStatus().isNoContent();
        await().atMost(Duration.ofSeconds(5)).untilTrue(r.completed);
        assertThat(r.names()).containsExactly("position", "removed");
    }

    @Test
    void sendsHeartbeatsWhileNothingChanges() {
        Recording r = new Recording(second, student(second));
        await().atMost(Duration.ofSeconds(5)).until(() -> r.heartbeats.size() >= 2);
        assertThat(r.heartbeats).allSatisfy(h -> assertThat(h.comment()).isEqualTo("heartbeat"));
        assertThat(r.names()).containsExactly("position");
        r.subscription.dispose();
    }

    @Test
    void closesAtTheTokensExpiry() {
        String shortLived = sign(SECRET, second, List.of("student"), null, Instant.now().plusSeconds(2));
        Recording r = new Recording(second, shortLived);
        r.awaitEvents(1);
        await().atMost(Duration.ofSeconds(6)).untilTrue(r.completed);
        assertThat(r.names()).containsExactly("position");
    }

    @Test
    void aStudentNotOnTheWaitlistGets404AndAnotherStudent403() {
        http.get().uri("/classes/{c}/waitlist/{s}", classId, enrolled).header("Authorization", "Bearer " + student(enrolled))
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        http.get().uri("/classes/{c}/waitlist/{s}", classId, second).header("Authorization", "Bearer " + student(first))
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isForbidden();
    }

    @Test
    void aChangeMadeThroughAnotherReplicaReachesTheStream() {
        // A second api on the same Redis: the PUBLISH of its script reaches this replica's stream.
        String[] args = {"--server.port=0", "--management.server.port=0", "--spring.main.banner-mode=off",
                "--seatwatch.security.jwt.secret=" + SECRET, "--seatwatch.webhooks.secret-key=" + WEBHOOK_SECRET_KEY,
                "--seatwatch.redis.key-prefix=" + keys.prefix(), "--seatwatch.relay.enabled=false",
                "--seatwatch.rate-limit.enabled=false"};
        try (ConfigurableApplicationContext other = startApi(args)) {
            Recording r = new Recording(second, student(second));
            r.awaitEvents(1);
            WebTestClient.bindToServer()
                    .baseUrl("http://localhost:" + other.getEnvironment().getProperty("local.server.port") + "/api/v1").build()
                    .delete().uri("/classes/{c}/waitlist/{s}", classId, first).header("Authorization", "Bearer " + student(first))
                    .exchange().expectStatus().isNoContent();
            r.awaitEvents(2);
            assertThat(r.events.get(1).data()).contains("\"position\":1");
            r.subscription.dispose();
        }
    }

    @Test
    void theStreamVariesByAcceptAndAuthorization() {
        Recording r = new Recording(second, student(second));
        r.awaitEvents(1);
        r.subscription.dispose();
        WebClient.create("http://localhost:" + port + "/api/v1").get()
                .uri("/classes/{c}/waitlist/{s}", classId, second).header("Authorization", "Bearer " + student(second))
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchangeToFlux(response -> {
                    assertThat(response.headers().asHttpHeaders().getVary()).contains("Accept", "Authorization");
                    assertThat(response.headers().contentType()).hasValueSatisfying(
                            t -> assertThat(t.isCompatibleWith(MediaType.TEXT_EVENT_STREAM)).isTrue());
                    return response.bodyToFlux(SSE).take(1);
                }).blockLast(Duration.ofSeconds(5));
    }
}
