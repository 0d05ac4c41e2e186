package io.seatwatch.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import io.seatwatch.api.ApiTestSupport;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * Role x endpoint matrix: every endpoint with no token, an expired token, a token signed with another key,
 * a malformed token, the wrong role and the wrong owner is answered 401/403 as {@code application/problem+json}
 * and changes nothing in Redis; the right callers get a 2xx, so a deny-everything bug fails too.
 *
 * <p>Every case gets a fresh fixture (see {@link #createFixture()}): a full class (capacity 1) with its
 * instructor, one enrolled, one waitlisted and one dropped student, plus a second class taught by another
 * instructor.
 */
@TestPropertySource(properties = "seatwatch.redis.key-prefix=sw:v1:test:authz:")
class AuthorizationMatrixTest extends ApiTestSupport {

    /** Who may call an endpoint (the "who" column of the README's endpoint table). */
    enum Access {
        ANY_AUTHENTICATED,
        REGISTRAR,
        STUDENT_SELF_OR_REGISTRAR,
        STUDENT_INSTRUCTOR_OR_REGISTRAR,
        INSTRUCTOR_OR_REGISTRAR
    }

    /** Which student the path or body names. */
    enum Subject { NONE, ENROLLED, WAITLISTED, NEWCOMER }

    enum Endpoint {
        PING("GET", "/ping", Access.ANY_AUTHENTICATED, Subject.NONE, 200),
        CREATE_CLASS("POST", "/classes", Access.REGISTRAR, Subject.NONE, 201),
        LIST_CLASSES("GET", "/classes", Access.ANY_AUTHENTICATED, Subject.NONE, 200),
        GET_CLASS("GET", "/classes/{c}", Access.ANY_AUTHENTICATED, Subject.NONE, 200),
        PATCH_CLASS("PATCH", "/classes/{c}", Access.REGISTRAR, Subject.NONE, 200),
        DELETE_CLASS("DELETE", "/classes/{c}", Access.REGISTRAR, Subject.NONE, 204),
        // The class is full, so a successful join waitlists the newcomer: 202.
        ENROLL("POST", "/classes/{c}/enrollments", Access.STUDENT_SELF_OR_REGISTRAR, Subject.NEWCOMER, 202),
        GET_ENROLLMENT("GET", "/classes/{c}/enrollments/{s}", Access.STUDENT_INSTRUCTOR_OR_REGISTRAR, Subject.ENROLLED, 200),
        DROP_ENROLLMENT("DELETE", "/classes/{c}/enrollments/{s}", Access.STUDENT_INSTRUCTOR_OR_REGISTRAR, Subject.ENROLLED, 204),
        LIST_ENROLLMENTS("GET", "/classes/{c}/enrollments", Access.INSTRUCTOR_OR_REGISTRAR, Subject.NONE, 200),
        LIST_DROPS("GET", "/classes/{c}/drops", Access.INSTRUCTOR_OR_REGISTRAR, Subject.NONE, 200),
        LIST_WAITLIST("GET", "/classes/{c}/waitlist", Access.INSTRUCTOR_OR_REGISTRAR, Subject.NONE, 200),
        GET_POSITION("GET", "/classes/{c}/waitlist/{s}", Access.STUDENT_INSTRUCTOR_OR_REGISTRAR, Subject.WAITLISTED, 200),
        LEAVE_WAITLIST("DELETE", "/classes/{c}/waitlist/{s}", Access.STUDENT_INSTRUCTOR_OR_REGISTRAR, Subject.WAITLISTED, 204);

        final HttpMethod method;
        final String path;
        final Access access;
        final Subject subject;
        final int success;

        Endpoint(String method, String path, Access access, Subject subject, int success) {
            this.method = HttpMethod.valueOf(method);
            this.path = path;
            this.access = access;
            this.subject = subject;
            this.success = success;
        }

        boolean writes() {
            return method != HttpMethod.GET;
        }

        @Override
        public String toString() {
            return method.name() + " " + path;
        }
    }

    /** The data every case runs against; ids are fresh per case. */
    record Fixture(String classId, String instructor, String enrolled, String waitlisted, String dropped,
                   String newcomer, String otherStudent, String otherInstructor, String otherClassId) {

        String subject(Subject s) {
            return switch (s) {
                case NONE -> null;
                case ENROLLED -> enrolled;
                case WAITLISTED -> waitlisted;
                case NEWCOMER -> newcomer;
            };
        }
    }

    /** A credential: a name for the report and the Authorization header value (null = none sent). */
    record Credential(String name, Function<Fixture, String> authorization) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Credential bearer(String name, Function<Fixture, String> token) {
        return new Credential(name, f -> "Bearer " + token.apply(f));
    }

    // ---- credentials that must be answered 401 on every endpoint ----
    // Each carries the registrar role, whom every endpoint admits, so only the token itself is at fault.

    private static final List<Credential> UNAUTHENTICATED = List.of(
            new Credential("no token", f -> null),
            bearer("expired token", f -> expiredToken("registrar1", "registrar")),
            bearer("token signed with another key", f -> foreignToken("registrar1", "registrar")),
            new Credential("malformed token 'Bearer abc'", f -> "Bearer abc"),
            bearer("unsigned (alg none) token", f -> unsignedToken("registrar1", "registrar")),
            bearer("token whose sub is not an id", f -> token("not an id!", "registrar")));

    // ---- callers ----

    private static final Credential REGISTRAR = bearer("registrar", f -> registrar());
    private static final Credential CLASS_INSTRUCTOR = bearer("the class's instructor", f -> instructor(f.instructor()));
    private static final Credential OTHER_INSTRUCTOR =
            bearer("instructor of another class (wrong owner)", f -> instructor(f.otherInstructor()));
    private static final Credential OTHER_STUDENT = bearer("another student (wrong owner)", f -> student(f.otherStudent()));
    private static final Credential NO_ROLES = bearer("token without roles", f -> token(f.otherStudent()));
    private static final Credential UNKNOWN_ROLE = bearer("token with only an unknown role 'admin'", f -> token("admin1", "admin"));
    /** The class instructor's own id, but only the student role. */
    private static final Credential INSTRUCTOR_ID_AS_STUDENT =
            bearer("class instructor's id with the student role", f -> student(f.instructor()));

    private static Credential theStudent(Subject s) {
        return bearer("the student themself", f -> student(f.subject(s)));
    }

    /** The named student's own id, but only the instructor role. */
    private static Credential studentIdAsInstructor(Subject s) {
        return bearer("the student's id with the instructor role", f -> instructor(f.subject(s)));
    }

    private static Credential enrolledStudent() {
        return bearer("an enrolled student of the class", f -> student(f.enrolled()));
    }

    /** Callers that must get 403 (wrong role or wrong owner). */
    static List<Credential> forbidden(Endpoint e) {
        return switch (e.access) {
            case ANY_AUTHENTICATED -> List.of();
            case REGISTRAR -> List.of(enrolledStudent(), CLASS_INSTRUCTOR, OTHER_INSTRUCTOR, NO_ROLES, UNKNOWN_ROLE);
            case STUDENT_SELF_OR_REGISTRAR -> List.of(OTHER_STUDENT, enrolledStudent(), CLASS_INSTRUCTOR,
                    OTHER_INSTRUCTOR, studentIdAsInstructor(e.subject), NO_ROLES, UNKNOWN_ROLE);
            case STUDENT_INSTRUCTOR_OR_REGISTRAR -> List.of(OTHER_STUDENT, OTHER_INSTRUCTOR,
                    studentIdAsInstructor(e.subject), INSTRUCTOR_ID_AS_STUDENT, NO_ROLES, UNKNOWN_ROLE);
            case INSTRUCTOR_OR_REGISTRAR -> List.of(enrolledStudent(), OTHER_INSTRUCTOR, INSTRUCTOR_ID_AS_STUDENT,
                    NO_ROLES, UNKNOWN_ROLE);
        };
    }

    /** Callers that must get the endpoint's 2xx. */
    static List<Credential> allowed(Endpoint e) {
        return switch (e.access) {
            case ANY_AUTHENTICATED -> List.of(enrolledStudent(), CLASS_INSTRUCTOR, OTHER_INSTRUCTOR, REGISTRAR);
            case REGISTRAR -> List.of(REGISTRAR);
            case STUDENT_SELF_OR_REGISTRAR -> List.of(theStudent(e.subject), REGISTRAR);
            case STUDENT_INSTRUCTOR_OR_REGISTRAR -> List.of(theStudent(e.subject), CLASS_INSTRUCTOR, REGISTRAR);
            case INSTRUCTOR_OR_REGISTRAR -> List.of(CLASS_INSTRUCTOR, REGISTRAR);
        };
    }

    static Stream<Arguments> unauthenticatedCases() {
        return Arrays.stream(Endpoint.values())
                .flatMap(e -> UNAUTHENTICATED.stream().map(c -> Arguments.of(e, c)));
    }

    static Stream<Arguments> forbiddenCases() {
        return Arrays.stream(Endpoint.values()).flatMap(e -> forbidden(e).stream().map(c -> Arguments.of(e, c)));
    }

    static Stream<Arguments> allowedCases() {
        return Arrays.stream(Endpoint.values()).flatMap(e -> allowed(e).stream().map(c -> Arguments.of(e, c)));
    }

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    private Fixture fixture;

    @BeforeEach
    void createFixture() {
        String instructor = newId("prof");
        String enrolled = newId("s");
        String waitlisted = newId("s");
        String dropped = newId("s");
        String classId = createClassId(instructor, 1, 5);
        enroll(classId, dropped).expectStatus().isCreated();
        drop(classId, dropped, student(dropped)).expectStatus().isNoContent();
        enroll(classId, enrolled).expectStatus().isCreated();
        enroll(classId, waitlisted).expectStatus().isAccepted();
        String otherInstructor = newId("prof");
        String otherClassId = createClassId(otherInstructor, 1, 5);
        fixture = new Fixture(classId, instructor, enrolled, waitlisted, dropped, newId("s"), newId("s"), otherInstructor,
                otherClassId);
        // The fixture is what we think it is: an instructor, one enrolled, one waitlisted and one dropped student.
        JsonNode cls = getJson("/classes/{c}", registrar(), classId);
        assertThat(cls.path("instructorId").asString()).isEqualTo(instructor);
        assertThat(cls.path("enrolledCount").asInt()).isEqualTo(1);
        assertThat(cls.path("waitlistCount").asInt()).isEqualTo(1);
    }

    @ParameterizedTest(name = "[{index}] {0} with {1} -> 401")
    @MethodSource("unauthenticatedCases")
    void invalidOrMissingTokenIs401AndChangesNothing(Endpoint endpoint, Credential credential) {
        Map<String, String> before = snapshot();

        EntityExchangeResult<byte[]> result = call(endpoint, credential);

        assertProblem(result, endpoint, credential, 401, "/problems/unauthorized");
        assertThat(result.getResponseHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE))
                .as("WWW-Authenticate of %s with %s", endpoint, credential).isNotNull().startsWith("Bearer");
        assertThat(snapshot()).as("Redis state after %s with %s", endpoint, credential).isEqualTo(before);
    }

    @ParameterizedTest(name = "[{index}] {0} as {1} -> 403")
    @MethodSource("forbiddenCases")
    void wrongRoleOrWrongOwnerIs403AndChangesNothing(Endpoint endpoint, Credential credential) {
        Map<String, String> before = snapshot();

        EntityExchangeResult<byte[]> result = call(endpoint, credential);

        assertProblem(result, endpoint, credential, 403, "/problems/forbidden");
        assertThat(snapshot()).as("Redis state after %s as %s", endpoint, credential).isEqualTo(before);
    }

    @ParameterizedTest(name = "[{index}] {0} as {1} -> 2xx")
    @MethodSource("allowedCases")
    void theRightCallerSucceeds(Endpoint endpoint, Credential credential) {
        Map<String, String> before = snapshot();

        EntityExchangeResult<byte[]> result = call(endpoint, credential);

        assertThat(result.getStatus().value()).as(describe(result, endpoint, credential)).isEqualTo(endpoint.success);
        if (endpoint.success != 204) {
            assertThat(result.getResponseHeaders().getContentType()).as("content type of %s", endpoint)
                    .isNotNull().matches(t -> t.isCompatibleWith(MediaType.APPLICATION_JSON), "application/json");
            assertThat(result.getResponseBody()).as("body of %s", endpoint).isNotEmpty();
        }
        Map<String, String> after = snapshot();
        if (endpoint.writes()) {
            // Also proves snapshot() sees writes, so the "nothing changed" checks above are not vacuous.
            assertThat(after).as("Redis state after %s as %s", endpoint, credential).isNotEqualTo(before);
        } else {
            assertThat(after).as("Redis state after %s as %s", endpoint, credential).isEqualTo(before);
        }
        assertSucceeded(endpoint, result);
    }

    /** Every mapped class, enrollment and waitlist endpoint is in the matrix, and nothing in it is unmapped. */
    @Test
    void theMatrixCoversEveryClassEndpoint() {
        Set<String> mapped = new TreeSet<>();
        mappings.getHandlerMethods().keySet().forEach(info -> info.getPatternsCondition().getPatterns()
                .forEach(p -> info.getMethodsCondition().getMethods()
                        .forEach(m -> mapped.add(m.name() + " " + p.getPatternString()))));
        Set<String> inScope = new TreeSet<>();
        // Students' subscriptions and the tokenless email confirmation link have their own tests (subscription package).
        mapped.stream().filter(s -> s.contains(" /api/v1/") && !s.contains(" /api/v1/students")
                        && !s.contains(" /api/v1/email-confirmations/"))
                .forEach(inScope::add);

        Set<String> matrix = new TreeSet<>();
        for (Endpoint e : Endpoint.values()) {
            matrix.add(e.method.name() + " /api/v1" + e.path.replace("{c}", "{classId}").replace("{s}", "{studentId}"));
        }
        assertThat(inScope).isEqualTo(matrix);
    }

    // ---- helpers ----

    private EntityExchangeResult<byte[]> call(Endpoint endpoint, Credential credential) {
        return request(endpoint, credential).expectBody().returnResult();
    }

    private WebTestClient.ResponseSpec request(Endpoint endpoint, Credential credential) {
        Fixture f = fixture;
        String subject = f.subject(endpoint.subject);
        Map<String, Object> vars = subject == null ? Map.of("c", f.classId()) : Map.of("c", f.classId(), "s", subject);
        WebTestClient.RequestBodySpec request = http.method(endpoint.method).uri(endpoint.path, vars);
        String authorization = credential.authorization().apply(f);
        if (authorization != null) {
            request.header(HttpHeaders.AUTHORIZATION, authorization);
        }
        Object body = switch (endpoint) {
            case CREATE_CLASS -> Map.of("department", "AUTHZ", "courseCode", newId("c"), "section", "01",
                    "title", "Access Control", "instructorId", f.instructor(), "capacity", 10, "waitlistCapacity", 5);
            case PATCH_CLASS -> Map.of("waitlistCapacity", 7);
            case ENROLL -> Map.of("studentId", subject);
            default -> null;
        };
        if (body != null) {
            return request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
        }
        return request.exchange();
    }

    /** The exact status, then an RFC 9457 body of the expected type. */
    private void assertProblem(EntityExchangeResult<byte[]> result, Endpoint endpoint, Credential credential,
                               int status, String type) {
        String description = describe(result, endpoint, credential);
        assertThat(result.getStatus().value()).as(description).isEqualTo(status);
        assertThat(result.getResponseHeaders().getContentType()).as(description).isNotNull()
                .matches(t -> t.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON), "application/problem+json");
        assertThat(result.getResponseBody()).as(description).isNotEmpty();
        JsonNode problem = json.readTree(result.getResponseBody());
        assertThat(problem.path("type").asString()).as(description).isEqualTo(type);
        assertThat(problem.path("status").asInt()).as(description).isEqualTo(status);
        assertThat(problem.path("title").asString()).as(description).isNotBlank();
        assertThat(problem.path("detail").asString()).as(description).isNotBlank();
    }

    /** Names the case in a failure message, since surefire's reports show only the invocation index. */
    private static String describe(EntityExchangeResult<byte[]> result, Endpoint endpoint, Credential credential) {
        byte[] body = result.getResponseBody();
        return endpoint + " with " + credential + " answered " + result.getStatus() + " "
                + (body == null ? "" : new String(body, java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The 2xx did what the endpoint promises, checked by a registrar afterwards where it changed data. */
    private void assertSucceeded(Endpoint endpoint, EntityExchangeResult<byte[]> result) {
        Fixture f = fixture;
        byte[] bytes = result.getResponseBody();
        JsonNode body = bytes == null || bytes.length == 0 ? null : json.readTree(bytes);
        switch (endpoint) {
            case PING -> assertThat(body.path("ok").asBoolean()).isTrue();
            case CREATE_CLASS -> {
                assertThat(body.path("department").asString()).isEqualTo("AUTHZ");
                getJson("/classes/{c}", registrar(), body.path("id").asString());
            }
            case LIST_CLASSES -> {
                assertThat(body.path("items").isEmpty()).isFalse();
                assertThat(allClassIds()).contains(f.classId(), f.otherClassId());
            }
            case GET_CLASS -> assertThat(body.path("id").asString()).isEqualTo(f.classId());
            case PATCH_CLASS -> assertThat(body.path("waitlistCapacity").asInt()).isEqualTo(7);
            case DELETE_CLASS -> http.get().uri("/classes/{c}", f.classId())
                    .header(HttpHeaders.AUTHORIZATION, "Bearer " + registrar()).exchange().expectStatus().isNotFound();
            case ENROLL -> {
                assertThat(body.path("status").asString()).isEqualTo("WAITLISTED");
                assertThat(studentIds(getJson("/classes/{c}/waitlist", registrar(), f.classId())))
                        .containsExactly(f.waitlisted(), f.newcomer());
            }
            case GET_ENROLLMENT -> {
                assertThat(body.path("studentId").asString()).isEqualTo(f.enrolled());
                assertThat(body.path("status").asString()).isEqualTo("ENROLLED");
            }
            case DROP_ENROLLMENT -> assertThat(studentIds(getJson("/classes/{c}/enrollments", registrar(), f.classId())))
                    .containsExactly(f.waitlisted());
            case LIST_ENROLLMENTS -> assertThat(studentIds(body)).containsExactly(f.enrolled());
            case LIST_DROPS -> assertThat(studentIds(body)).containsExactly(f.dropped());
            case LIST_WAITLIST -> assertThat(studentIds(body)).containsExactly(f.waitlisted());
            case GET_POSITION -> {
                assertThat(body.path("studentId").asString()).isEqualTo(f.waitlisted());
                assertThat(body.path("position").asInt()).isEqualTo(1);
            }
            case LEAVE_WAITLIST -> assertThat(studentIds(getJson("/classes/{c}/waitlist", registrar(), f.classId())))
                    .isEmpty();
        }
    }

    /** Every class id in the catalog, following the cursors. */
    private List<String> allClassIds() {
        List<String> ids = new java.util.ArrayList<>();
        JsonNode page = getJson("/classes?limit=100", registrar());
        ids.addAll(page.path("items").valueStream().map(i -> i.path("id").asString()).toList());
        while (page.has("nextCursor")) {
            page = getJson("/classes?limit=100&cursor={k}", registrar(), page.path("nextCursor").asString());
            ids.addAll(page.path("items").valueStream().map(i -> i.path("id").asString()).toList());
        }
        return ids;
    }

    /** A JWT with {@code alg: none}: well-formed, registrar claims, no signature. */
    private static String unsignedToken(String sub, String... roles) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(sub).claim("roles", List.of(roles))
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1)))).build();
        return new PlainJWT(claims).serialize();
    }
}
