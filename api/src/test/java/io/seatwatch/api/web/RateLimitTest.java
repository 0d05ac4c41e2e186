package io.seatwatch.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.seatwatch.api.ApiTestSupport;
import io.seatwatch.api.SeatwatchProperties;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * Writes are limited per user by a token bucket (here 1 write/s, burst 3). A refused write is a 429
 * problem with {@code Retry-After} and writes nothing; a request that fails for another reason is
 * answered with that reason and costs no token; reads are never limited.
 */
@TestPropertySource(properties = {
        "seatwatch.redis.key-prefix=sw:v1:test:ratelimit:",
        "seatwatch.rate-limit.enabled=true",
        "seatwatch.rate-limit.writes-per-second=1",
        "seatwatch.rate-limit.burst=3"})
class RateLimitTest extends ApiTestSupport {

    private static final int BURST = 3;

    @Autowired
    private SeatwatchProperties properties;

    // ---------------------------------------------------------------- helpers

    /** Every class is created by a registrar of its own, so that set-up never runs into the limit. */
    private String createClassAsFreshRegistrar(String instructorId, int capacity, int waitlistCapacity) {
        return createClassAs(token(newId("reg"), "registrar"), instructorId, capacity, waitlistCapacity)
                .expectStatus().isCreated().expectBody(JsonNode.class).returnResult().getResponseBody()
                .path("id").asString();
    }

    private WebTestClient.ResponseSpec createClassAs(String bearer, String instructorId, int capacity, int waitlistCapacity) {
        return http.post().uri("/classes").header("Authorization", "Bearer " + bearer)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("department", "RATE", "courseCode", newId("c"), "section", "01",
                        "title", "Rate limits", "instructorId", instructorId,
                        "capacity", capacity, "waitlistCapacity", waitlistCapacity))
                .exchange();
    }

    /** The state a check compares: all keys but the buckets, plus the buckets of the users it is about. */
    private record Observed(Map<String, String> state, Map<String, Map<Object, Object>> buckets) {}

    /**
     * Every bucket expires a few seconds after its user's last write, so the buckets of users a check is
     * not about are left out, and an expired bucket counts as untouched.
     */
    private Observed observe(String... userIds) {
        Map<String, Map<Object, Object>> buckets = new LinkedHashMap<>();
        for (String user : userIds) {
            buckets.put(user, bucket(user));
        }
        return new Observed(stateWithoutBuckets(), buckets);
    }

    private void assertNothingWritten(Observed before, String description) {
        assertThat(stateWithoutBuckets()).as(description).isEqualTo(before.state());
        before.buckets().forEach((user, was) -> {
            Map<Object, Object> now = bucket(user);
            if (!(now.isEmpty() && !was.isEmpty())) {
                assertThat(now).as("%s: bucket of %s", description, user).isEqualTo(was);
            }
        });
    }

    private Map<String, String> stateWithoutBuckets() {
        Map<String, String> state = new TreeMap<>(snapshot());
        state.keySet().removeIf(key -> key.startsWith(keys.rateLimit("")));
        return state;
    }

    private Map<Object, Object> bucket(String userId) {
        return redis.opsForHash().entries(keys.rateLimit(userId))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue).block();
    }

    /** The outcome of writing until refused: the 429, and whether the student ended up enrolled. */
    private record Exhausted(EntityExchangeResult<byte[]> tooMany, boolean enrolled, int successes) {}

    /**
     * Enrolls and drops {@code studentId} in turn until the first 429. The first {@link #BURST} writes must
     * succeed; the 429 must follow within a few more (each extra one needs a whole second of refill).
     */
    private Exhausted exhaust(String classId, String studentId) {
        return exhaust(classId, studentId, BURST);
    }

    /** As {@link #exhaust(String, String)}, for a student who has already spent some of the burst. */
    private Exhausted exhaust(String classId, String studentId, int tokensLeft) {
        boolean enrolled = false;
        int successes = 0;
        for (int i = 0; i < 3 * BURST; i++) {
            Observed before = observe(studentId);
            EntityExchangeResult<byte[]> r = (enrolled ? drop(classId, studentId, student(studentId))
                    : enroll(classId, studentId)).expectBody().returnResult();
            if (r.getStatus().value() == 429) {
                assertThat(successes).as("writes allowed before the first 429").isGreaterThanOrEqualTo(tokensLeft);
                assertNothingWritten(before, "a refused write writes nothing, not even the bucket");
                return new Exhausted(r, enrolled, successes);
            }
            assertThat(r.getStatus().value()).as("write %d", i + 1).isEqualTo(enrolled ? 204 : 201);
            enrolled = !enrolled;
            successes++;
        }
        return fail("no 429 after %d writes at 1 write/s with burst %d", 3 * BURST, BURST);
    }

    private void assertRateLimited(EntityExchangeResult<byte[]> r) {
        assertThat(r.getStatus().value()).isEqualTo(429);
        assertThat(r.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        String retryAfter = r.getResponseHeaders().getFirst("Retry-After");
        assertThat(retryAfter).as("Retry-After").isNotNull().matches("[1-9][0-9]*");
        JsonNode problem = json.readTree(r.getResponseBody());
        assertThat(problem.path("type").asString()).isEqualTo("/problems/rate-limited");
        assertThat(problem.path("status").asInt()).isEqualTo(429);
        assertThat(problem.path("title").asString()).isNotBlank();
        assertThat(problem.path("detail").asString()).isNotBlank();
        assertThat(problem.path("retryAfter").asLong()).isEqualTo(Long.parseLong(retryAfter));
    }

    private static long retryAfter(EntityExchangeResult<byte[]> r) {
        return Long.parseLong(r.getResponseHeaders().getFirst("Retry-After"));
    }

    // ---------------------------------------------------------------- tests

    @Test
    void theTestRunsWithTheConfiguredBucket() {
        assertThat(properties.rateLimit().enabled()).isTrue();
        assertThat(properties.rateLimit().writesPerSecond()).isEqualTo(1.0);
        assertThat(properties.rateLimit().burst()).isEqualTo(BURST);
    }

    @Test
    void afterTheBurstAWriteIs429WithRetryAfterAndWritesNothing() {
        String classId = createClassAsFreshRegistrar(newId("prof"), 5, 5);
        String s = newId("s");

        Exhausted ex = exhaust(classId, s);
        assertRateLimited(ex.tooMany());
        assertThat(retryAfter(ex.tooMany())).isBetween(1L, 2L);

        // the refused write really did not happen
        JsonNode cls = getJson("/classes/{c}", registrar(), classId);
        assertThat(cls.path("enrolledCount").asInt()).isEqualTo(ex.enrolled() ? 1 : 0);
        if (ex.enrolled()) {
            getJson("/classes/{c}/enrollments/{s}", student(s), classId, s);
        } else {
            http.get().uri("/classes/{c}/enrollments/{s}", classId, s).header("Authorization", "Bearer " + student(s))
                    .exchange().expectStatus().isNotFound();
        }
    }

    @Test
    void aClientThatWaitsRetryAfterSecondsSucceeds() {
        String classId = createClassAsFreshRegistrar(newId("prof"), 5, 5);
        String s = newId("s");
        Exhausted ex = exhaust(classId, s);
        long wait = retryAfter(ex.tooMany());

        AtomicInteger attempts = new AtomicInteger();
        await().pollDelay(Duration.ofSeconds(wait)).pollInterval(Duration.ofMillis(200)).atMost(Duration.ofSeconds(wait + 10))
                .until(() -> {
                    attempts.incrementAndGet();
                    int status = (ex.enrolled() ? drop(classId, s, student(s)) : enroll(classId, s))
                            .returnResult(Void.class).getStatus().value();
                    assertThat(status).isIn(ex.enrolled() ? 204 : 201, 429);
                    return status != 429;
                });
        assertThat(attempts.get()).as("attempts after waiting Retry-After").isEqualTo(1);
    }

    @Test
    void theLimitIsPerUser() {
        String prof = newId("prof");
        String classId = createClassAsFreshRegistrar(prof, 5, 5);
        String s = newId("s");
        assertRateLimited(exhaust(classId, s).tooMany());

        // another student, the class's registrar and a fresh registrar are not affected
        String t = newId("s");
        enroll(classId, t).expectStatus().isCreated();
        drop(classId, t, student(t)).expectStatus().isNoContent();
        http.patch().uri("/classes/{c}", classId).header("Authorization", "Bearer " + token(newId("reg"), "registrar"))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("capacity", 6))
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.capacity").isEqualTo(6);
        // a registrar acting on s's behalf uses the registrar's bucket, not s's
        String other = createClassAsFreshRegistrar(prof, 5, 5);
        http.post().uri("/classes/{c}/enrollments", other).header("Authorization", "Bearer " + token(newId("reg"), "registrar"))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("studentId", s))
                .exchange().expectStatus().isCreated();
    }

    @Test
    void registrarWritesAreLimitedToo() {
        String regId = newId("reg");
        String reg = token(regId, "registrar");
        String prof = newId("prof");
        EntityExchangeResult<byte[]> tooMany = null;
        int created = 0;
        for (int i = 0; i < 3 * BURST && tooMany == null; i++) {
            Observed before = observe(regId);
            EntityExchangeResult<byte[]> r = createClassAs(reg, prof, 1, 1).expectBody().returnResult();
            if (r.getStatus().value() == 429) {
                tooMany = r;
                assertNothingWritten(before, "no class was created");
            } else {
                assertThat(r.getStatus().value()).isEqualTo(201);
                created++;
            }
        }
        assertThat(tooMany).as("429 after the burst").isNotNull();
        assertThat(created).isGreaterThanOrEqualTo(BURST);
        assertRateLimited(tooMany);
    }

    @Test
    void requestsThatFailForAnotherReasonAreAnsweredWithThatReasonAndCostNoToken() {
        String prof = newId("prof");
        String classId = createClassAsFreshRegistrar(prof, 1, 0);
        String frozen = createClassAsFreshRegistrar(prof, 5, 5);
        http.patch().uri("/classes/{c}", frozen).header("Authorization", "Bearer " + token(newId("reg"), "registrar"))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("autoEnrollmentFrozen", true))
                .exchange().expectStatus().isOk();
        String holder = newId("s");
        enroll(classId, holder).expectStatus().isCreated();

        String s = newId("s");
        Observed before = observe(s, holder);
        for (int i = 0; i < 2 * BURST; i++) {
            enroll("no-such-class", s).expectStatus().isNotFound()
                    .expectBody().jsonPath("$.type").isEqualTo("/problems/class-not-found");
            enroll(classId, s).expectStatus().isEqualTo(409)
                    .expectBody().jsonPath("$.type").isEqualTo("/problems/waitlist-full");
            enroll(frozen, s).expectStatus().isEqualTo(409)
                    .expectBody().jsonPath("$.type").isEqualTo("/problems/class-frozen");
            drop(classId, s, student(s)).expectStatus().isNotFound()
                    .expectBody().jsonPath("$.type").isEqualTo("/problems/enrollment-not-found");
            http.delete().uri("/classes/{c}/waitlist/{s}", classId, s).header("Authorization", "Bearer " + student(s))
                    .exchange().expectStatus().isNotFound()
                    .expectBody().jsonPath("$.type").isEqualTo("/problems/waitlist-entry-not-found");
            drop(classId, holder, student(s)).expectStatus().isForbidden();
            http.post().uri("/classes/{c}/enrollments", classId).header("Authorization", "Bearer " + student(s))
                    .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"studentId\":5}")
                    .exchange().expectStatus().isBadRequest();
        }
        assertNothingWritten(before, "failed requests write nothing, not even the bucket");
        assertThat(bucket(s)).as("no bucket for a user whose writes all failed").isEmpty();

        // the whole burst is still there
        String open = createClassAsFreshRegistrar(prof, 5, 5);
        enroll(open, s).expectStatus().isCreated();
        drop(open, s, student(s)).expectStatus().isNoContent();
        enroll(open, s).expectStatus().isCreated();
    }

    @Test
    void withAnEmptyBucketOtherErrorsStillWin() {
        String prof = newId("prof");
        String classId = createClassAsFreshRegistrar(prof, 5, 5);
        String full = createClassAsFreshRegistrar(prof, 1, 0);
        String waitlisted = createClassAsFreshRegistrar(prof, 1, 5);
        String holder = newId("s");
        enroll(full, holder).expectStatus().isCreated();
        enroll(waitlisted, holder).expectStatus().isCreated();
        String s = newId("s");
        enroll(waitlisted, s).expectStatus().isAccepted();

        Exhausted ex = exhaust(classId, s, BURST - 1);
        assertRateLimited(ex.tooMany());

        Observed before = observe(s, holder);
        enroll("no-such-class", s).expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("/problems/class-not-found");
        enroll(full, s).expectStatus().isEqualTo(409).expectBody().jsonPath("$.type").isEqualTo("/problems/waitlist-full");
        enroll(waitlisted, s).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/already-waitlisted");
        http.delete().uri("/classes/{c}/waitlist/{s}", waitlisted, s).header("Authorization", "Bearer " + student(s))
                .header("If-Match", "\"0.0\"").exchange().expectStatus().isEqualTo(412)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/precondition-failed");
        http.delete().uri("/classes/{c}/enrollments/{s}", full, s).header("Authorization", "Bearer " + student(s))
                .exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("/problems/enrollment-not-found");
        http.post().uri("/classes/{c}/enrollments", classId).header("Authorization", "Bearer " + student(s))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"studentId\":\"a b\"}")
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("/problems/validation-failed");
        drop(full, holder, student(s)).expectStatus().isForbidden()
                .expectBody().jsonPath("$.type").isEqualTo("/problems/forbidden");
        http.post().uri("/classes").header("Authorization", "Bearer " + student(s)).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("department", "RATE", "courseCode", newId("c"), "section", "01", "title", "No",
                        "instructorId", prof, "capacity", 1))
                .exchange().expectStatus().isForbidden();
        assertNothingWritten(before, "errors answered while the bucket is empty");
    }

    @Test
    void aRegistrarWithAnEmptyBucketStillGets404And409() {
        String regId = newId("reg");
        String reg = token(regId, "registrar");
        String prof = newId("prof");
        String courseCode = null;
        String existing = null;
        EntityExchangeResult<byte[]> tooMany = null;
        for (int i = 0; i < 3 * BURST && tooMany == null; i++) {
            EntityExchangeResult<byte[]> r = createClassAs(reg, prof, 1, 1).expectBody().returnResult();
            if (r.getStatus().value() == 429) {
                tooMany = r;
            } else {
                assertThat(r.getStatus().value()).isEqualTo(201);
                JsonNode c = json.readTree(r.getResponseBody());
                courseCode = c.path("courseCode").asString();
                existing = c.path("id").asString();
            }
        }
        assertThat(tooMany).isNotNull();
        assertRateLimited(tooMany);
        assertThat(existing).isNotNull();
        Observed before = observe(regId);
        http.patch().uri("/classes/no-such-class").header("Authorization", "Bearer " + reg)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("capacity", 2))
                .exchange().expectStatus().isNotFound();
        http.delete().uri("/classes/no-such-class").header("Authorization", "Bearer " + reg)
                .exchange().expectStatus().isNotFound();
        http.post().uri("/classes").header("Authorization", "Bearer " + reg).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("department", "RATE", "courseCode", courseCode, "section", "01", "title", "Again",
                        "instructorId", prof, "capacity", 1))
                .exchange().expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("/problems/class-exists")
                .jsonPath("$.existingClassId").isEqualTo(existing);
        http.patch().uri("/classes/{c}", existing).header("Authorization", "Bearer " + reg)
                .header("If-Match", "\"0.0\"").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("capacity", 2))
                .exchange().expectStatus().isEqualTo(412);
        assertNothingWritten(before, "a registrar's failed writes");
    }

    @Test
    void readsAreNeverLimited() {
        String prof = newId("prof");
        String classId = createClassAsFreshRegistrar(prof, 5, 5);
        String s = newId("s");
        Exhausted ex = exhaust(classId, s);
        assertRateLimited(ex.tooMany());

        for (int i = 0; i < 10 * BURST; i++) {
            getJson("/classes", student(s));
            getJson("/classes/{c}", student(s), classId);
            getJson("/ping", student(s));
            http.get().uri("/classes/{c}/enrollments/{s}", classId, s).header("Authorization", "Bearer " + student(s))
                    .exchange().expectStatus().isEqualTo(ex.enrolled() ? 200 : 404);
            http.get().uri("/classes/{c}/waitlist/{s}", classId, s).header("Authorization", "Bearer " + student(s))
                    .exchange().expectStatus().isNotFound();
        }

        // reads cost nothing: they write no bucket, and afterwards a fresh user still has the whole burst
        String t = newId("s");
        String reader = instructor(prof);
        Observed before = observe(t, prof, s);
        for (int i = 0; i < 10 * BURST; i++) {
            getJson("/classes/{c}/enrollments", reader, classId);
            getJson("/classes/{c}/waitlist", reader, classId);
            getJson("/classes/{c}/drops", reader, classId);
            getJson("/classes/{c}", student(t), classId);
        }
        assertNothingWritten(before, "reads");
        assertThat(redis.hasKey(keys.rateLimit(t)).block()).isFalse();
        assertThat(redis.hasKey(keys.rateLimit(prof)).block()).isFalse();
        for (String c : List.of(createClassAsFreshRegistrar(prof, 5, 5), createClassAsFreshRegistrar(prof, 5, 5),
                createClassAsFreshRegistrar(prof, 5, 5))) {
            enroll(c, t).expectStatus().isCreated();
        }
    }
}
