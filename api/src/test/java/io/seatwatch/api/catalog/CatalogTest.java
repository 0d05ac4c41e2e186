package io.seatwatch.api.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.seatwatch.api.ApiTestSupport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

@TestPropertySource(properties = "seatwatch.redis.key-prefix=sw:v1:test:catalog:")
class CatalogTest extends ApiTestSupport {

    private Map<String, Object> classBody(String department, String courseCode, String section) {
        Map<String, Object> body = new HashMap<>();
        body.put("department", department);
        body.put("courseCode", courseCode);
        body.put("section", section);
        body.put("title", "Web Back-End Engineering");
        body.put("instructorId", "prof-catalog");
        body.put("capacity", 30);
        return body;
    }

    private JsonNode create(Map<String, Object> body) {
        return json.readTree(http.post().uri("/classes").header("Authorization", "Bearer " + registrar())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isCreated().expectBody().returnResult().getResponseBody());
    }

    @Test
    void createAnswers201WithLocationEtagAndTheClass() {
        String code = newId("c");
        var result = http.post().uri("/classes").header("Authorization", "Bearer " + registrar())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(classBody("CPSC", code, "01")).exchange()
                .expectStatus().isCreated()
                .expectHeader().valueMatches("Location", "/api/v1/classes/[A-Za-z0-9_-]{1,64}")
                .expectHeader().valueMatches("ETag", "\"[0-9]+\\.[0-9]+\"")
                .expectBody().returnResult();
        JsonNode c = json.readTree(result.getResponseBody());
        assertThat(result.getResponseHeaders().getLocation().toString()).isEqualTo("/api/v1/classes/" + c.path("id").asString());
        assertThat(c.path("department").asString()).isEqualTo("CPSC");
        assertThat(c.path("courseCode").asString()).isEqualTo(code);
        assertThat(c.path("section").asString()).isEqualTo("01");
        assertThat(c.path("title").asString()).isEqualTo("Web Back-End Engineering");
        assertThat(c.path("instructorId").asString()).isEqualTo("prof-catalog");
        assertThat(c.path("capacity").asInt()).isEqualTo(30);
        assertThat(c.path("waitlistCapacity").asInt()).isEqualTo(15);
        assertThat(c.path("enrolledCount").asInt()).isZero();
        assertThat(c.path("waitlistCount").asInt()).isZero();
        assertThat(c.path("autoEnrollmentFrozen").asBoolean()).isFalse();

        JsonNode fetched = getJson("/classes/{c}", student(newId("s")), c.path("id").asString());
        assertThat(fetched).isEqualTo(c);
    }

    @Test
    void duplicateDepartmentCourseSectionIs409IgnoringCaseAndSpaces() {
        String code = newId("c");
        JsonNode first = create(classBody("CPSC", code, "01"));
        var before = snapshot();
        http.post().uri("/classes").header("Authorization", "Bearer " + registrar())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(classBody(" cpsc ", code.toUpperCase(), "01")).exchange()
                .expectStatus().isEqualTo(409)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/class-exists")
                .jsonPath("$.existingClassId").isEqualTo(first.path("id").asString());
        assertThat(snapshot()).isEqualTo(before);
        create(classBody("CPSC", code, "02"));
    }

    @Test
    void getUnknownClassIs404() {
        http.get().uri("/classes/{c}", "nope-" + newId("x")).header("Authorization", "Bearer " + registrar()).exchange()
                .expectStatus().isNotFound().expectBody().jsonPath("$.type").isEqualTo("/problems/class-not-found");
    }

    @Test
    void getAnswers304WhileUnchangedAndNewEtagAfterAChange() {
        String classId = createClassId("prof-x", 2, 2);
        String etag = http.get().uri("/classes/{c}", classId).header("Authorization", "Bearer " + registrar()).exchange()
                .expectStatus().isOk().expectHeader().valueEquals("Vary", "Authorization")
                .returnResult(String.class).getResponseHeaders().getETag();
        http.get().uri("/classes/{c}", classId).header("Authorization", "Bearer " + registrar())
                .header("If-None-Match", etag).exchange().expectStatus().isNotModified().expectBody().isEmpty();
        http.get().uri("/classes/{c}", classId).header("Authorization", "Bearer " + registrar())
                .header("If-None-Match", "*").exchange().expectStatus().isNotModified();

        enroll(classId, newId("s")).expectStatus().isCreated();

        String after = http.get().uri("/classes/{c}", classId).header("Authorization", "Bearer " + registrar())
                .header("If-None-Match", etag).exchange().expectStatus().isOk()
                .returnResult(String.class).getResponseHeaders().getETag();
        assertThat(after).isNotEqualTo(etag);
    }

    @Test
    void listIsOrderedByDepartmentCourseAndSectionAndPaged() {
        String dept = "Z" + newId("d").replace("-", "").substring(0, 10).toUpperCase();
        create(classBody(dept, "200", "02"));
        create(classBody(dept, "100", "01"));
        create(classBody(dept, "200", "01"));
        // Other test methods' classes sort before "Z..." departments; walk pages to the end.
        List<String> seen = new java.util.ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = cursor == null ? getJson("/classes?limit=2", registrar())
                    : getJson("/classes?limit=2&cursor={k}", registrar(), cursor);
            assertThat(page.path("items").size()).isLessThanOrEqualTo(2);
            page.path("items").forEach(c -> {
                if (c.path("department").asString().equals(dept)) {
                    seen.add(c.path("courseCode").asString() + "/" + c.path("section").asString());
                }
            });
            cursor = page.has("nextCursor") ? page.path("nextCursor").asString() : null;
            pages++;
        } while (cursor != null && pages < 1000);
        assertThat(seen).containsExactly("100/01", "200/01", "200/02");
    }

    @Test
    void availableFilterHidesFrozenAndFullClasses() {
        String dept = "AV" + newId("d").replace("-", "").substring(0, 8).toUpperCase();
        Map<String, Object> open = classBody(dept, "1", "01");
        Map<String, Object> frozen = classBody(dept, "2", "01");
        Map<String, Object> full = classBody(dept, "3", "01");
        Map<String, Object> waitlistRoom = classBody(dept, "4", "01");
        full.put("capacity", 1);
        full.put("waitlistCapacity", 0);
        waitlistRoom.put("capacity", 1);
        waitlistRoom.put("waitlistCapacity", 1);
        create(open);
        String frozenId = create(frozen).path("id").asString();
        String fullId = create(full).path("id").asString();
        String roomId = create(waitlistRoom).path("id").asString();
        patchClass(frozenId, Map.of("autoEnrollmentFrozen", true));
        enroll(fullId, newId("s")).expectStatus().isCreated();
        enroll(roomId, newId("s")).expectStatus().isCreated();

        assertThat(departmentCourses("/classes?limit=100&available=true", dept)).containsExactly("1", "4");
        assertThat(departmentCourses("/classes?limit=100", dept)).containsExactly("1", "2", "3", "4");
        assertThat(departmentCourses("/classes?limit=100&available=false", dept)).containsExactly("1", "2", "3", "4");
    }

    private List<String> departmentCourses(String uri, String dept) {
        List<String> out = new java.util.ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = cursor == null ? getJson(uri, registrar()) : getJson(uri + "&cursor={k}", registrar(), cursor);
            page.path("items").forEach(c -> {
                if (c.path("department").asString().equals(dept)) {
                    out.add(c.path("courseCode").asString());
                }
            });
            cursor = page.has("nextCursor") ? page.path("nextCursor").asString() : null;
        } while (cursor != null);
        return out;
    }

    @Test
    void catalogEtagChangesWithAnyClassChangeAnd304Otherwise() {
        createClassId("prof-x", 2, 2);
        String etag = http.get().uri("/classes").header("Authorization", "Bearer " + registrar()).exchange()
                .expectStatus().isOk().returnResult(String.class).getResponseHeaders().getETag();
        assertThat(etag).isNotNull();
        http.get().uri("/classes").header("Authorization", "Bearer " + registrar()).header("If-None-Match", etag)
                .exchange().expectStatus().isNotModified();
        String classId = createClassId("prof-x", 2, 2);
        String afterCreate = http.get().uri("/classes").header("Authorization", "Bearer " + registrar())
                .header("If-None-Match", etag).exchange().expectStatus().isOk()
                .returnResult(String.class).getResponseHeaders().getETag();
        enroll(classId, newId("s")).expectStatus().isCreated();
        http.get().uri("/classes").header("Authorization", "Bearer " + registrar()).header("If-None-Match", afterCreate)
                .exchange().expectStatus().isOk();
    }

    @Test
    void patchChangesFieldsAndTheNewInstructorTakesOver() {
        String classId = createClassId("prof-old", 2, 2);
        JsonNode c = patchClass(classId, Map.of("instructorId", "prof-new", "waitlistCapacity", 40));
        assertThat(c.path("instructorId").asString()).isEqualTo("prof-new");
        assertThat(c.path("waitlistCapacity").asInt()).isEqualTo(40);
        assertThat(c.path("capacity").asInt()).isEqualTo(2);

        getJson("/classes/{c}/enrollments", instructor("prof-new"), classId);
        http.get().uri("/classes/{c}/enrollments", classId).header("Authorization", "Bearer " + instructor("prof-old"))
                .exchange().expectStatus().isForbidden();
    }

    @Test
    void capacityBelowEnrolledIs409AndChangesNothing() {
        String classId = createClassId("prof-x", 3, 2);
        enroll(classId, newId("s")).expectStatus().isCreated();
        enroll(classId, newId("s")).expectStatus().isCreated();
        var before = snapshot();
        http.patch().uri("/classes/{c}", classId).header("Authorization", "Bearer " + registrar())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("capacity", 1, "instructorId", "someone"))
                .exchange().expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/capacity-below-enrolled");
        assertThat(snapshot()).isEqualTo(before);
        assertThat(patchClass(classId, Map.of("capacity", 2)).path("capacity").asInt()).isEqualTo(2);
    }

    @Test
    void waitlistCapacityBelowWaitlistedIs409() {
        String classId = createClassId("prof-x", 1, 3);
        enroll(classId, newId("s")).expectStatus().isCreated();
        enroll(classId, newId("s")).expectStatus().isAccepted();
        enroll(classId, newId("s")).expectStatus().isAccepted();
        http.patch().uri("/classes/{c}", classId).header("Authorization", "Bearer " + registrar())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("waitlistCapacity", 1))
                .exchange().expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/waitlist-capacity-below-waitlisted");
        assertThat(patchClass(classId, Map.of("waitlistCapacity", 2)).path("waitlistCapacity").asInt()).isEqualTo(2);
    }

    @Test
    void patchAndDeleteOfUnknownClassAre404() {
        http.patch().uri("/classes/{c}", "missing-class").header("Authorization", "Bearer " + registrar())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("capacity", 5))
                .exchange().expectStatus().isNotFound().expectBody().jsonPath("$.type").isEqualTo("/problems/class-not-found");
        http.delete().uri("/classes/{c}", "missing-class").header("Authorization", "Bearer " + registrar())
                .exchange().expectStatus().isNotFound();
    }

    @Test
    void patchWithStaleIfMatchIs412() {
        String classId = createClassId("prof-x", 2, 2);
        String etag = http.get().uri("/classes/{c}", classId).header("Authorization", "Bearer " + registrar()).exchange()
                .returnResult(String.class).getResponseHeaders().getETag();
        enroll(classId, newId("s")).expectStatus().isCreated();
        http.patch().uri("/classes/{c}", classId).header("Authorization", "Bearer " + registrar()).header("If-Match", etag)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("capacity", 5))
                .exchange().expectStatus().isEqualTo(412);
        assertThat(getJson("/classes/{c}", registrar(), classId).path("capacity").asInt()).isEqualTo(2);
    }

    @Test
    void deleteCascadesFreesWaitlistSlotsAndEmitsNothing() {
        String classId = createClassId("prof-x", 1, 5);
        String enrolled = newId("s"), waiting = newId("s");
        enroll(classId, enrolled).expectStatus().isCreated();
        enroll(classId, waiting).expectStatus().isAccepted();
        // The waiting student is on two more waitlists: three in all.
        for (int i = 0; i < 2; i++) {
            String other = createClassId("prof-x", 1, 5);
            enroll(other, newId("s")).expectStatus().isCreated();
            enroll(other, waiting).expectStatus().isAccepted();
        }
        // A subscription as the subscriptions feature stores it.
        String subscription = keys.prefix() + "subscription:" + waiting + ":" + classId;
        redis.opsForHash().put(subscription, "email", "w@example.edu").block();
        redis.opsForSet().add(keys.prefix() + "class:" + classId + ":subscribers", waiting).block();
        redis.opsForZSet().add(keys.prefix() + "student:" + waiting + ":subscriptions", classId, 0).block();

        http.delete().uri("/classes/{c}", classId).header("Authorization", "Bearer " + registrar())
                .exchange().expectStatus().isNoContent();

        http.get().uri("/classes/{c}", classId).header("Authorization", "Bearer " + registrar())
                .exchange().expectStatus().isNotFound();
        http.delete().uri("/classes/{c}", classId).header("Authorization", "Bearer " + registrar())
                .exchange().expectStatus().isNotFound();
        enroll(classId, newId("s")).expectStatus().isNotFound();
        assertThat(outboxFor(classId)).isEmpty();
        List<String> leftovers = redis.keys(keys.prefix() + "class:" + classId + "*").collectList().block();
        assertThat(leftovers).isEmpty();
        assertThat(redis.hasKey(subscription).block()).isFalse();
        assertThat(redis.opsForZSet().size(keys.prefix() + "student:" + waiting + ":subscriptions").block()).isZero();

        // The freed slot lets the student join a third waitlist again.
        String another = createClassId("prof-x", 1, 5);
        enroll(another, newId("s")).expectStatus().isCreated();
        enroll(another, waiting).expectStatus().isAccepted();

        // The same department, course and section can be created again.
        JsonNode deletedClass = json.readTree(http.get().uri("/classes?limit=100").header("Authorization", "Bearer " + registrar())
                .exchange().expectBody().returnResult().getResponseBody());
        assertThat(deletedClass.path("items").valueStream().map(c -> c.path("id").asString())).doesNotContain(classId);
    }
}
