package io.seatwatch.api.enrollment;

import static org.assertj.core.api.Assertions.assertThat;

import io.seatwatch.api.ApiTestSupport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

@TestPropertySource(properties = "seatwatch.redis.key-prefix=sw:v1:test:enrollment:")
class EnrollmentTest extends ApiTestSupport {

    @Test
    void enrollsWhileSeatsLastThenWaitlistsInJoiningOrder() {
        String classId = createClassId(newId("prof"), 2, 5);
        String a = newId("s"), b = newId("s"), c = newId("s"), d = newId("s");

        enroll(classId, a).expectStatus().isCreated()
                .expectHeader().location("/api/v1/classes/" + classId + "/enrollments/" + a)
                .expectBody()
                .jsonPath("$.status").isEqualTo("ENROLLED")
                .jsonPath("$.classId").isEqualTo(classId)
                .jsonPath("$.studentId").isEqualTo(a)
                .jsonPath("$.enrolledAt").value(v -> assertThat((String) v).endsWith("Z"))
                .jsonPath("$.position").doesNotExist();
        enroll(classId, b).expectStatus().isCreated();
        enroll(classId, c).expectStatus().isAccepted()
                .expectHeader().location("/api/v1/classes/" + classId + "/waitlist/" + c)
                .expectBody()
                .jsonPath("$.status").isEqualTo("WAITLISTED")
                .jsonPath("$.position").isEqualTo(1)
                .jsonPath("$.enrolledAt").doesNotExist();
        enroll(classId, d).expectStatus().isAccepted().expectBody().jsonPath("$.position").isEqualTo(2);

        JsonNode cls = getJson("/classes/{c}", registrar(), classId);
        assertThat(cls.path("enrolledCount").asInt()).isEqualTo(2);
        assertThat(cls.path("waitlistCount").asInt()).isEqualTo(2);
        assertThat(studentIds(getJson("/classes/{c}/waitlist", registrar(), classId))).containsExactly(c, d);
        assertThat(studentIds(getJson("/classes/{c}/enrollments", registrar(), classId))).containsExactly(a, b);
    }

    @Test
    void registrarMayEnrollAnyStudent() {
        String classId = createClassId(newId("prof"), 1, 1);
        String s = newId("s");
        http.post().uri("/classes/{c}/enrollments", classId).header("Authorization", "Bearer " + registrar())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("studentId", s))
                .exchange().expectStatus().isCreated().expectBody().jsonPath("$.studentId").isEqualTo(s);
    }

    @Test
    void refusesDoubleEnrollmentAndDoubleWaitlisting() {
        String classId = createClassId(newId("prof"), 1, 5);
        String a = newId("s"), b = newId("s");
        enroll(classId, a).expectStatus().isCreated();
        enroll(classId, b).expectStatus().isAccepted();

        enroll(classId, a).expectStatus().isEqualTo(409).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/already-enrolled");
        enroll(classId, b).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/already-waitlisted");
        assertThat(getJson("/classes/{c}", registrar(), classId).path("waitlistCount").asInt()).isEqualTo(1);
    }

    @Test
    void waitlistFullWhenWaitlistCapacityReached() {
        String classId = createClassId(newId("prof"), 1, 1);
        enroll(classId, newId("s")).expectStatus().isCreated();
        enroll(classId, newId("s")).expectStatus().isAccepted();
        enroll(classId, newId("s")).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/waitlist-full");
    }

    @Test
    void zeroWaitlistCapacityMeansAFullClassTakesNoOneElse() {
        String classId = createClassId(newId("prof"), 1, 0);
        enroll(classId, newId("s")).expectStatus().isCreated();
        enroll(classId, newId("s")).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/waitlist-full");
    }

    @Test
    void aStudentMayBeOnAtMostThreeWaitlistsButEnrollFreelyElsewhere() {
        String s = newId("s");
        for (int i = 0; i < 3; i++) {
            String full = createClassId(newId("prof"), 1, 5);
            enroll(full, newId("s")).expectStatus().isCreated();
            enroll(full, s).expectStatus().isAccepted();
        }
        String fourth = createClassId(newId("prof"), 1, 5);
        enroll(fourth, newId("s")).expectStatus().isCreated();
        enroll(fourth, s).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/waitlist-limit");
        assertThat(getJson("/classes/{c}", registrar(), fourth).path("waitlistCount").asInt()).isZero();

        // The limit applies only to waitlisting: a class with a free seat still takes the student.
        String open = createClassId(newId("prof"), 5, 5);
        enroll(open, s).expectStatus().isCreated();
    }

    @Test
    void conflictsAreReportedInTheDocumentedOrder() {
        // Frozen beats already-enrolled; waitlist-full beats waitlist-limit.
        String classId = createClassId(newId("prof"), 1, 1);
        String a = newId("s");
        enroll(classId, a).expectStatus().isCreated();
        patchClass(classId, Map.of("autoEnrollmentFrozen", true));
        enroll(classId, a).expectStatus().isEqualTo(409).expectBody().jsonPath("$.type").isEqualTo("/problems/class-frozen");

        String s = newId("s");
        for (int i = 0; i < 3; i++) {
            String full = createClassId(newId("prof"), 1, 5);
            enroll(full, newId("s")).expectStatus().isCreated();
            enroll(full, s).expectStatus().isAccepted();
        }
        String fullWaitlist = createClassId(newId("prof"), 1, 1);
        enroll(fullWaitlist, newId("s")).expectStatus().isCreated();
        enroll(fullWaitlist, newId("s")).expectStatus().isAccepted();
        enroll(fullWaitlist, s).expectStatus().isEqualTo(409).expectBody().jsonPath("$.type").isEqualTo("/problems/waitlist-full");
    }

    @Test
    void enrollingInAnUnknownClassIs404AndWritesNothing() {
        var before = snapshot();
        enroll("no-such-class", newId("s")).expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("/problems/class-not-found");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void getEnrollmentHasAStrongEtagAndAnswers304WhenItMatches() {
        String classId = createClassId(newId("prof"), 1, 5);
        String a = newId("s");
        enroll(classId, a).expectStatus().isCreated();
        String etag = http.get().uri("/classes/{c}/enrollments/{s}", classId, a).header("Authorization", "Bearer " + student(a))
                .exchange().expectStatus().isOk()
                .expectHeader().valueMatches("ETag", "\"[0-9]+\\.[0-9]+\"")
                .expectHeader().valueEquals("Cache-Control", "private, no-cache")
                .expectBody().jsonPath("$.status").isEqualTo("ENROLLED")
                .returnResult().getResponseHeaders().getETag();
        http.get().uri("/classes/{c}/enrollments/{s}", classId, a).header("Authorization", "Bearer " + student(a))
                .header("If-None-Match", "W/" + etag).exchange()
                .expectStatus().isNotModified().expectHeader().valueEquals("ETag", etag).expectBody().isEmpty();
    }

    @Test
    void getEnrollmentOfAWaitlistedStudentIs404() {
        String classId = createClassId(newId("prof"), 1, 5);
        enroll(classId, newId("s")).expectStatus().isCreated();
        String w = newId("s");
        enroll(classId, w).expectStatus().isAccepted();
        http.get().uri("/classes/{c}/enrollments/{s}", classId, w).header("Authorization", "Bearer " + student(w))
                .exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("/problems/enrollment-not-found");
    }

    @Test
    void studentDropPromotesTheWaitlistHeadAndRecordsOneEvent() {
        String prof = newId("prof");
        String classId = createClassId(prof, 1, 5);
        String a = newId("s"), b = newId("s"), c = newId("s");
        enroll(classId, a).expectStatus().isCreated();
        enroll(classId, b).expectStatus().isAccepted();
        enroll(classId, c).expectStatus().isAccepted();

        drop(classId, a, student(a)).expectStatus().isNoContent();

        assertThat(studentIds(getJson("/classes/{c}/enrollments", registrar(), classId))).containsExactly(b);
        assertThat(studentIds(getJson("/classes/{c}/waitlist", registrar(), classId))).containsExactly(c);
        getJson("/classes/{c}/waitlist/{s}", student(c), classId, c);
        assertThat(getJson("/classes/{c}/waitlist/{s}", student(c), classId, c).path("position").asInt()).isEqualTo(1);

        JsonNode drops = getJson("/classes/{c}/drops", instructor(prof), classId);
        assertThat(drops.path("items")).hasSize(1);
        assertThat(drops.path("items").get(0).path("studentId").asString()).isEqualTo(a);
        assertThat(drops.path("items").get(0).path("droppedBy").asString()).isEqualTo(a);
        assertThat(drops.path("items").get(0).path("reason").asString()).isEqualTo("STUDENT");
        assertThat(drops.path("items").get(0).path("droppedAt").asString()).endsWith("Z");

        List<Map<Object, Object>> events = outboxFor(classId);
        assertThat(events).hasSize(1);
        Map<Object, Object> e = events.get(0);
        assertThat(e).containsEntry("type", "EnrollmentPromoted").containsEntry("studentId", b)
                .containsEntry("cause", "STUDENT_DROP").containsEntry("classId", classId)
                .containsEntry("department", "CPSC").containsEntry("section", "01")
                .containsEntry("title", "Back-end Engineering");
        assertThat((String) e.get("eventId")).matches("[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat((String) e.get("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
        assertThat(Long.parseLong((String) e.get("occurredAt"))).isGreaterThan(1_700_000_000_000_000L);
        assertThat(Long.parseLong((String) e.get("sequence"))).isPositive();
        assertThat(e).doesNotContainKeys("email", "webhookUrl");
    }

    @Test
    void theEventContinuesTheCallersTrace() {
        String classId = createClassId(newId("prof"), 1, 5);
        String a = newId("s"), b = newId("s");
        enroll(classId, a).expectStatus().isCreated();
        enroll(classId, b).expectStatus().isAccepted();
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        http.delete().uri("/classes/{c}/enrollments/{s}", classId, a).header("Authorization", "Bearer " + student(a))
                .header("traceparent", traceparent).exchange().expectStatus().isNoContent();
        // Same trace, the request's own server span as parent: the notifiers' log lines carry this trace id.
        assertThat(outboxFor(classId)).singleElement().satisfies(e -> assertThat((String) e.get("traceparent"))
                .matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01")
                .isNotEqualTo(traceparent));
    }

    @Test
    void instructorDropPromotesAndIsRecordedAsInstructor() {
        String prof = newId("prof");
        String classId = createClassId(prof, 1, 5);
        String a = newId("s"), b = newId("s");
        enroll(classId, a).expectStatus().isCreated();
        enroll(classId, b).expectStatus().isAccepted();

        drop(classId, a, instructor(prof)).expectStatus().isNoContent();

        JsonNode drop = getJson("/classes/{c}/drops", instructor(prof), classId).path("items").get(0);
        assertThat(drop.path("droppedBy").asString()).isEqualTo(prof);
        assertThat(drop.path("reason").asString()).isEqualTo("INSTRUCTOR");
        assertThat(outboxFor(classId)).singleElement()
                .satisfies(e -> assertThat(e).containsEntry("studentId", b).containsEntry("cause", "INSTRUCTOR_DROP"));
    }

    @Test
    void registrarDropIsRecordedAsRegistrar() {
        String classId = createClassId(newId("prof"), 1, 5);
        String a = newId("s"), b = newId("s");
        enroll(classId, a).expectStatus().isCreated();
        enroll(classId, b).expectStatus().isAccepted();
        drop(classId, a, registrar()).expectStatus().isNoContent();
        JsonNode drop = getJson("/classes/{c}/drops", registrar(), classId).path("items").get(0);
        assertThat(drop.path("droppedBy").asString()).isEqualTo("registrar1");
        assertThat(drop.path("reason").asString()).isEqualTo("REGISTRAR");
        assertThat(outboxFor(classId)).singleElement().satisfies(e -> assertThat(e).containsEntry("cause", "REGISTRAR_DROP"));
    }

    @Test
    void droppingTheLastStudentStillPromotes() {
        String classId = createClassId(newId("prof"), 1, 5);
        String a = newId("s"), b = newId("s");
        enroll(classId, a).expectStatus().isCreated();
        enroll(classId, b).expectStatus().isAccepted();
        drop(classId, a, student(a)).expectStatus().isNoContent();
        assertThat(getJson("/classes/{c}", registrar(), classId).path("enrolledCount").asInt()).isEqualTo(1);
        assertThat(studentIds(getJson("/classes/{c}/enrollments", registrar(), classId))).containsExactly(b);
    }

    @Test
    void aDropWithAnEmptyWaitlistEmitsNothing() {
        String classId = createClassId(newId("prof"), 2, 5);
        String a = newId("s");
        enroll(classId, a).expectStatus().isCreated();
        drop(classId, a, student(a)).expectStatus().isNoContent();
        assertThat(outboxFor(classId)).isEmpty();
        drop(classId, a, student(a)).expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("/problems/enrollment-not-found");
    }

    @Test
    void promotionFreesThePromotedStudentsWaitlistSlot() {
        String s = newId("s");
        String first = null;
        String holder = null;
        for (int i = 0; i < 3; i++) {
            String full = createClassId(newId("prof"), 1, 5);
            String h = newId("s");
            enroll(full, h).expectStatus().isCreated();
            enroll(full, s).expectStatus().isAccepted();
            if (first == null) {
                first = full;
                holder = h;
            }
        }
        drop(first, holder, student(holder)).expectStatus().isNoContent();
        String fourth = createClassId(newId("prof"), 1, 5);
        enroll(fourth, newId("s")).expectStatus().isCreated();
        enroll(fourth, s).expectStatus().isAccepted();
    }

    @Test
    void frozenClassRefusesJoinsAndPromotesNobodyButDropsWork() {
        String classId = createClassId(newId("prof"), 1, 5);
        String a = newId("s"), b = newId("s");
        enroll(classId, a).expectStatus().isCreated();
        enroll(classId, b).expectStatus().isAccepted();
        patchClass(classId, Map.of("autoEnrollmentFrozen", true));

        enroll(classId, newId("s")).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/class-frozen");
        drop(classId, a, student(a)).expectStatus().isNoContent();

        JsonNode cls = getJson("/classes/{c}", registrar(), classId);
        assertThat(cls.path("enrolledCount").asInt()).isZero();
        assertThat(cls.path("waitlistCount").asInt()).isEqualTo(1);
        assertThat(cls.path("autoEnrollmentFrozen").asBoolean()).isTrue();
        assertThat(outboxFor(classId)).isEmpty();
    }

    @Test
    void unfreezingPromotesIntoEveryOpenSeatInWaitlistOrder() {
        String classId = createClassId(newId("prof"), 3, 5);
        String a = newId("s"), b = newId("s"), c = newId("s"), w1 = newId("s"), w2 = newId("s"), w3 = newId("s");
        for (String s : List.of(a, b, c)) {
            enroll(classId, s).expectStatus().isCreated();
        }
        for (String s : List.of(w1, w2, w3)) {
            enroll(classId, s).expectStatus().isAccepted();
        }
        patchClass(classId, Map.of("autoEnrollmentFrozen", true));
        drop(classId, a, student(a)).expectStatus().isNoContent();
        drop(classId, b, student(b)).expectStatus().isNoContent();
        assertThat(outboxFor(classId)).isEmpty();

        JsonNode cls = patchClass(classId, Map.of("autoEnrollmentFrozen", false));

        assertThat(cls.path("enrolledCount").asInt()).isEqualTo(3);
        assertThat(cls.path("waitlistCount").asInt()).isEqualTo(1);
        assertThat(studentIds(getJson("/classes/{c}/enrollments", registrar(), classId))).containsExactly(c, w1, w2);
        assertThat(studentIds(getJson("/classes/{c}/waitlist", registrar(), classId))).containsExactly(w3);
        List<Map<Object, Object>> events = outboxFor(classId);
        assertThat(events).extracting(e -> e.get("studentId")).containsExactly(w1, w2);
        assertThat(events).allSatisfy(e -> assertThat(e).containsEntry("cause", "UNFREEZE"));
        assertThat(events).extracting(e -> Long.parseLong((String) e.get("sequence"))).doesNotHaveDuplicates()
                .isSorted();
        assertThat(events).extracting(e -> e.get("eventId")).doesNotHaveDuplicates();
    }

    @Test
    void raisingCapacityPromotesInWaitlistOrder() {
        String classId = createClassId(newId("prof"), 1, 5);
        String a = newId("s"), w1 = newId("s"), w2 = newId("s"), w3 = newId("s");
        enroll(classId, a).expectStatus().isCreated();
        for (String s : List.of(w1, w2, w3)) {
            enroll(classId, s).expectStatus().isAccepted();
        }
        JsonNode cls = patchClass(classId, Map.of("capacity", 3));
        assertThat(cls.path("capacity").asInt()).isEqualTo(3);
        assertThat(studentIds(getJson("/classes/{c}/enrollments", registrar(), classId))).containsExactly(a, w1, w2);
        assertThat(outboxFor(classId)).extracting(e -> e.get("studentId")).containsExactly(w1, w2);
        assertThat(outboxFor(classId)).allSatisfy(e -> assertThat(e).containsEntry("cause", "CAPACITY_INCREASE"));
    }

    @Test
    void raisingCapacityWhileFrozenPromotesNobody() {
        String classId = createClassId(newId("prof"), 1, 5);
        enroll(classId, newId("s")).expectStatus().isCreated();
        enroll(classId, newId("s")).expectStatus().isAccepted();
        patchClass(classId, Map.of("autoEnrollmentFrozen", true, "capacity", 2));
        assertThat(outboxFor(classId)).isEmpty();
        assertThat(getJson("/classes/{c}", registrar(), classId).path("waitlistCount").asInt()).isEqualTo(1);
    }

    @Test
    void dropWithStaleIfMatchIs412AndChangesNothing() {
        String classId = createClassId(newId("prof"), 1, 5);
        String a = newId("s");
        enroll(classId, a).expectStatus().isCreated();
        String etag = http.get().uri("/classes/{c}/enrollments/{s}", classId, a).header("Authorization", "Bearer " + student(a))
                .exchange().expectStatus().isOk().returnResult(String.class).getResponseHeaders().getETag();

        var before = snapshot();
        http.delete().uri("/classes/{c}/enrollments/{s}", classId, a).header("Authorization", "Bearer " + student(a))
                .header("If-Match", "\"1.1\"").exchange().expectStatus().isEqualTo(412)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/precondition-failed");
        http.delete().uri("/classes/{c}/enrollments/{s}", classId, a).header("Authorization", "Bearer " + student(a))
                .header("If-Match", "W/" + etag).exchange().expectStatus().isEqualTo(412);
        assertThat(snapshot()).isEqualTo(before);

        http.delete().uri("/classes/{c}/enrollments/{s}", classId, a).header("Authorization", "Bearer " + student(a))
                .header("If-Match", "\"0.0\", " + etag).exchange().expectStatus().isNoContent();
    }

    @Test
    void collectionsArePagedWithCursors() {
        String prof = newId("prof");
        String classId = createClassId(prof, 5, 10);
        List<String> students = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String s = newId("s");
            students.add(s);
            enroll(classId, s).expectStatus().isCreated();
        }
        JsonNode first = getJson("/classes/{c}/enrollments?limit=2", instructor(prof), classId);
        assertThat(studentIds(first)).containsExactlyElementsOf(students.subList(0, 2));
        JsonNode second = getJson("/classes/{c}/enrollments?limit=2&cursor={k}", instructor(prof), classId,
                first.path("nextCursor").asString());
        assertThat(studentIds(second)).containsExactlyElementsOf(students.subList(2, 4));
        JsonNode third = getJson("/classes/{c}/enrollments?limit=2&cursor={k}", instructor(prof), classId,
                second.path("nextCursor").asString());
        assertThat(studentIds(third)).containsExactlyElementsOf(students.subList(4, 5));
        assertThat(third.has("nextCursor")).isFalse();

        for (String s : students.subList(0, 3)) {
            drop(classId, s, student(s)).expectStatus().isNoContent();
        }
        JsonNode drops1 = getJson("/classes/{c}/drops?limit=2", registrar(), classId);
        assertThat(studentIds(drops1)).containsExactlyElementsOf(students.subList(0, 2));
        JsonNode drops2 = getJson("/classes/{c}/drops?limit=2&cursor={k}", registrar(), classId,
                drops1.path("nextCursor").asString());
        assertThat(studentIds(drops2)).containsExactlyElementsOf(students.subList(2, 3));
        assertThat(drops2.has("nextCursor")).isFalse();

        // A cursor of one collection is refused by another.
        http.get().uri("/classes/{c}/drops?cursor={k}", classId, first.path("nextCursor").asString())
                .header("Authorization", "Bearer " + registrar()).exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].parameter").isEqualTo("cursor");
    }
}
