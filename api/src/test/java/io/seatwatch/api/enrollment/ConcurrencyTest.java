package io.seatwatch.api.enrollment;

import static org.assertj.core.api.Assertions.assertThat;

import io.seatwatch.api.ApiTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;

/** Many clients at once against one class: the Lua scripts must keep every count exact. */
@TestPropertySource(properties = "seatwatch.redis.key-prefix=sw:v1:test:concurrency:")
class ConcurrencyTest extends ApiTestSupport {

    private ConnectionProvider connections;
    private WebClient client;

    @BeforeEach
    void manyConnections() {
        connections = ConnectionProvider.builder("concurrency").maxConnections(500).pendingAcquireMaxCount(-1).build();
        client = WebClient.builder().baseUrl("http://localhost:" + port + "/api/v1")
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections))).build();
    }

    @AfterEach
    void closeConnections() {
        connections.disposeLater().block();
    }

    record Outcome(String studentId, int status, String problemType) {}

    @Test
    void fiveHundredConcurrentJoinsThenThirtyConcurrentDrops() {
        String classId = createClassId(newId("prof"), 30, 15);
        List<String> students = IntStream.range(0, 500).mapToObj(i -> newId("s")).toList();

        List<Outcome> joins = Flux.fromIterable(students)
                .flatMap(s -> client.post().uri("/classes/{c}/enrollments", classId)
                        .header("Authorization", "Bearer " + student(s))
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("studentId", s))
                        .exchangeToMono(r -> r.bodyToMono(JsonNode.class).map(body ->
                                new Outcome(s, r.statusCode().value(), body.path("type").asString(null)))), 500)
                .collectList().block(Duration.ofMinutes(2));

        Map<Integer, Long> byStatus = joins.stream().collect(Collectors.groupingBy(Outcome::status, Collectors.counting()));
        assertThat(byStatus).containsExactlyInAnyOrderEntriesOf(Map.of(201, 30L, 202, 15L, 409, 455L));
        assertThat(joins).filteredOn(o -> o.status() == 409)
                .allSatisfy(o -> assertThat(o.problemType()).isEqualTo("/problems/waitlist-full"));

        Set<String> enrolled = joins.stream().filter(o -> o.status() == 201).map(Outcome::studentId).collect(Collectors.toSet());
        Set<String> waitlisted = joins.stream().filter(o -> o.status() == 202).map(Outcome::studentId).collect(Collectors.toSet());
        JsonNode cls = getJson("/classes/{c}", registrar(), classId);
        assertThat(cls.path("enrolledCount").asInt()).isEqualTo(30);
        assertThat(cls.path("waitlistCount").asInt()).isEqualTo(15);
        assertThat(new HashSet<>(studentIds(getJson("/classes/{c}/enrollments?limit=100", registrar(), classId))))
                .isEqualTo(enrolled);
        List<String> waitlistOrder = studentIds(getJson("/classes/{c}/waitlist?limit=100", registrar(), classId));
        assertThat(new HashSet<>(waitlistOrder)).isEqualTo(waitlisted);

        List<Integer> drops = Flux.fromIterable(enrolled)
                .flatMap(s -> client.delete().uri("/classes/{c}/enrollments/{s}", classId, s)
                        .header("Authorization", "Bearer " + student(s))
                        .exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value())), 30)
                .collectList().block(Duration.ofMinutes(1));
        assertThat(drops).hasSize(30).containsOnly(204);

        // The 15 waitlisted students fill 15 of the 30 freed seats, in the order they joined.
        List<String> nowEnrolled = studentIds(getJson("/classes/{c}/enrollments?limit=100", registrar(), classId));
        assertThat(nowEnrolled).containsExactlyElementsOf(waitlistOrder);
        assertThat(getJson("/classes/{c}", registrar(), classId).path("waitlistCount").asInt()).isZero();

        List<Map<Object, Object>> events = outboxFor(classId);
        assertThat(events).hasSize(15);
        assertThat(events).extracting(e -> (String) e.get("studentId")).containsExactlyElementsOf(waitlistOrder);
        assertThat(events).extracting(e -> e.get("eventId")).doesNotHaveDuplicates();
        assertThat(events).extracting(e -> e.get("sequence")).doesNotHaveDuplicates();
        assertThat(events).allSatisfy(e -> assertThat(e).containsEntry("cause", "STUDENT_DROP"));
        JsonNode dropLog = getJson("/classes/{c}/drops?limit=100", registrar(), classId);
        assertThat(new HashSet<>(studentIds(dropLog))).isEqualTo(enrolled);
    }

    @Test
    void concurrentDropsOfTheSameStudentSucceedOnce() {
        String classId = createClassId(newId("prof"), 1, 5);
        String a = newId("s"), b = newId("s");
        enroll(classId, a).expectStatus().isCreated();
        enroll(classId, b).expectStatus().isAccepted();

        List<Integer> statuses = Flux.range(0, 20)
                .flatMap(i -> client.delete().uri("/classes/{c}/enrollments/{s}", classId, a)
                        .header("Authorization", "Bearer " + (i % 2 == 0 ? student(a) : registrar()))
                        .exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value())), 20)
                .collectList().block(Duration.ofMinutes(1));

        assertThat(statuses.stream().filter(s -> s == 204).count()).isEqualTo(1);
        assertThat(statuses.stream().filter(s -> s == 404).count()).isEqualTo(19);
        assertThat(outboxFor(classId)).singleElement().satisfies(e -> assertThat(e).containsEntry("studentId", b));
        assertThat(getJson("/classes/{c}/drops", registrar(), classId).path("items")).hasSize(1);
    }

    @Test
    void concurrentJoinsRespectTheThreeWaitlistLimit() {
        String s = newId("s");
        List<String> fullClasses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String c = createClassId(newId("prof"), 1, 5);
            enroll(c, newId("s")).expectStatus().isCreated();
            fullClasses.add(c);
        }
        List<Integer> statuses = Flux.fromIterable(fullClasses)
                .flatMap(c -> client.post().uri("/classes/{c}/enrollments", c)
                        .header("Authorization", "Bearer " + student(s))
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("studentId", s))
                        .exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value())), 6)
                .collectList().block(Duration.ofMinutes(1));
        assertThat(statuses.stream().filter(x -> x == 202).count()).isEqualTo(3);
        assertThat(statuses.stream().filter(x -> x == 409).count()).isEqualTo(3);
    }
}
