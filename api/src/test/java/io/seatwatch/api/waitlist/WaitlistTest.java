package io.seatwatch.api.waitlist;

import static org.assertj.core.api.Assertions.assertThat;

import io.seatwatch.api.ApiTestSupport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

@TestPropertySource(properties = "seatwatch.redis.key-prefix=sw:v1:test:waitlist:")
class WaitlistTest extends ApiTestSupport {

    private record Fixture(String classId, String prof, List<String> waiting) {}

    private Fixture fixture(int waiting) {
        String prof = newId("prof");
        String classId = createClassId(prof, 1, 20);
        enroll(classId, newId("s")).expectStatus().isCreated();
        List<String> w = new ArrayList<>();
        for (int i = 0; i < waiting; i++) {
            String s = newId("s");
            enroll(classId, s).expectStatus().isAccepted();
            w.add(s);
        }
        return new Fixture(classId, prof, w);
    }

    private JsonNode position(String classId, String studentId) {
        return getJson("/classes/{c}/waitlist/{s}", student(studentId), classId, studentId);
    }

    @Test
    void positionIsOneBasedWithTheWaitlistSize() {
        Fixture f = fixture(3);
        for (int i = 0; i < 3; i++) {
            JsonNode p = position(f.classId(), f.waiting().get(i));
            assertThat(p.path("position").asInt()).isEqualTo(i + 1);
            assertThat(p.path("waitlistSize").asInt()).isEqualTo(3);
            assertThat(p.path("classId").asString()).isEqualTo(f.classId());
            assertThat(p.path("studentId").asString()).isEqualTo(f.waiting().get(i));
        }
    }

    @Test
    void instructorAndRegistrarSeeTheOrderedWaitlist() {
        Fixture f = fixture(3);
        JsonNode list = getJson("/classes/{c}/waitlist", instructor(f.prof()), f.classId());
        assertThat(studentIds(list)).containsExactlyElementsOf(f.waiting());
        assertThat(list.path("items").valueStream().map(i -> i.path("position").asInt())).containsExactly(1, 2, 3);
        assertThat(list.path("items").get(0).path("joinedAt").asString()).endsWith("Z");
        assertThat(studentIds(getJson("/classes/{c}/waitlist", registrar(), f.classId()))).containsExactlyElementsOf(f.waiting());
    }

    @Test
    void waitlistPagesKeepPositions() {
        Fixture f = fixture(5);
        JsonNode first = getJson("/classes/{c}/waitlist?limit=2", registrar(), f.classId());
        JsonNode second = getJson("/classes/{c}/waitlist?limit=2&cursor={k}", registrar(), f.classId(),
                first.path("nextCursor").asString());
        assertThat(studentIds(second)).containsExactlyElementsOf(f.waiting().subList(2, 4));
        assertThat(second.path("items").valueStream().map(i -> i.path("position").asInt())).containsExactly(3, 4);
    }

    @Test
    void leavingMovesEveryoneBehindUpByOne() {
        Fixture f = fixture(4);
        http.delete().uri("/classes/{c}/waitlist/{s}", f.classId(), f.waiting().get(1))
                .header("Authorization", "Bearer " + student(f.waiting().get(1))).exchange().expectStatus().isNoContent();

        assertThat(position(f.classId(), f.waiting().get(0)).path("position").asInt()).isEqualTo(1);
        assertThat(position(f.classId(), f.waiting().get(2)).path("position").asInt()).isEqualTo(2);
        assertThat(position(f.classId(), f.waiting().get(3)).path("position").asInt()).isEqualTo(3);
        assertThat(position(f.classId(), f.waiting().get(3)).path("waitlistSize").asInt()).isEqualTo(3);
        http.get().uri("/classes/{c}/waitlist/{s}", f.classId(), f.waiting().get(1))
                .header("Authorization", "Bearer " + student(f.waiting().get(1))).exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("/problems/waitlist-entry-not-found");
        http.delete().uri("/classes/{c}/waitlist/{s}", f.classId(), f.waiting().get(1))
                .header("Authorization", "Bearer " + student(f.waiting().get(1))).exchange().expectStatus().isNotFound();
        assertThat(outboxFor(f.classId())).isEmpty();
    }

    @Test
    void instructorMayRemoveAStudentFromTheWaitlist() {
        Fixture f = fixture(2);
        http.delete().uri("/classes/{c}/waitlist/{s}", f.classId(), f.waiting().get(0))
                .header("Authorization", "Bearer " + instructor(f.prof())).exchange().expectStatus().isNoContent();
        assertThat(studentIds(getJson("/classes/{c}/waitlist", registrar(), f.classId())))
                .containsExactly(f.waiting().get(1));
    }

    @Test
    void leavingFreesOneOfTheThreeWaitlistSlots() {
        String s = newId("s");
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String c = createClassId(newId("prof"), 1, 5);
            enroll(c, newId("s")).expectStatus().isCreated();
            enroll(c, s).expectStatus().isAccepted();
            classes.add(c);
        }
        String fourth = createClassId(newId("prof"), 1, 5);
        enroll(fourth, newId("s")).expectStatus().isCreated();
        enroll(fourth, s).expectStatus().isEqualTo(409);
        http.delete().uri("/classes/{c}/waitlist/{s}", classes.get(0), s)
                .header("Authorization", "Bearer " + student(s)).exchange().expectStatus().isNoContent();
        enroll(fourth, s).expectStatus().isAccepted();
    }

    @Test
    void positionEtagChangesWhenSomeoneAheadLeavesAnd304Otherwise() {
        Fixture f = fixture(3);
        String last = f.waiting().get(2);
        String etag = http.get().uri("/classes/{c}/waitlist/{s}", f.classId(), last)
                .header("Authorization", "Bearer " + student(last)).exchange().expectStatus().isOk()
                .expectHeader().valueEquals("Cache-Control", "private, no-cache")
                .returnResult(String.class).getResponseHeaders().getETag();
        http.get().uri("/classes/{c}/waitlist/{s}", f.classId(), last).header("Authorization", "Bearer " + student(last))
                .header("If-None-Match", etag).exchange().expectStatus().isNotModified().expectBody().isEmpty();

        http.delete().uri("/classes/{c}/waitlist/{s}", f.classId(), f.waiting().get(0))
                .header("Authorization", "Bearer " + student(f.waiting().get(0))).exchange().expectStatus().isNoContent();

        http.get().uri("/classes/{c}/waitlist/{s}", f.classId(), last).header("Authorization", "Bearer " + student(last))
                .header("If-None-Match", etag).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.position").isEqualTo(2);
    }

    @Test
    void leaveWithStaleIfMatchIs412AndWithCurrentTagSucceeds() {
        Fixture f = fixture(2);
        String s = f.waiting().get(1);
        String etag = http.get().uri("/classes/{c}/waitlist/{x}", f.classId(), s).header("Authorization", "Bearer " + student(s))
                .exchange().returnResult(String.class).getResponseHeaders().getETag();
        http.delete().uri("/classes/{c}/waitlist/{x}", f.classId(), f.waiting().get(0))
                .header("Authorization", "Bearer " + student(f.waiting().get(0))).exchange().expectStatus().isNoContent();
        var before = snapshot();
        http.delete().uri("/classes/{c}/waitlist/{x}", f.classId(), s).header("Authorization", "Bearer " + student(s))
                .header("If-Match", etag).exchange().expectStatus().isEqualTo(412);
        assertThat(snapshot()).isEqualTo(before);
        String fresh = http.get().uri("/classes/{c}/waitlist/{x}", f.classId(), s).header("Authorization", "Bearer " + student(s))
                .exchange().returnResult(String.class).getResponseHeaders().getETag();
        http.delete().uri("/classes/{c}/waitlist/{x}", f.classId(), s).header("Authorization", "Bearer " + student(s))
                .header("If-Match", fresh).exchange().expectStatus().isNoContent();
    }

    @Test
    void positionOfAnEnrolledStudentIs404() {
        String classId = createClassId(newId("prof"), 2, 2);
        String s = newId("s");
        enroll(classId, s).expectStatus().isCreated();
        http.get().uri("/classes/{c}/waitlist/{s}", classId, s).header("Authorization", "Bearer " + student(s))
                .exchange().expectStatus().isNotFound();
    }
}
