package io.seatwatch.api.conditional;

import static io.seatwatch.testsupport.HttpDateFormat.IMF_FIXDATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.seatwatch.api.ApiTestSupport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** RFC 9110 section 13 on the position, an enrollment, a class and the catalog; dates are in ConditionalDatesTest. */
@TestPropertySource(properties = {
        "seatwatch.redis.key-prefix=sw:v1:test:conditional:",
        "seatwatch.cors.allowed-origins=https://app.example.edu"})
class ConditionalRequestsTest extends ApiTestSupport {

    private String classId;
    private String prof;
    private String enrolled;
    private String first;
    private String last;

    @BeforeEach
    void fixture() {
        prof = newId("prof");
        classId = createClassId(prof, 1, 10);
        enrolled = newId("s");
        first = newId("w");
        last = newId("w");
        enroll(classId, enrolled).expectStatus().isCreated();
        enroll(classId, first).expectStatus().isAccepted();
        enroll(classId, last).expectStatus().isAccepted();
    }

    private String position(String student) {
        return "/classes/" + classId + "/waitlist/" + student;
    }

    private WebTestClient.ResponseSpec get(String uri, String bearer, Consumer<HttpHeaders> headers) {
        return http.get().uri(uri).header("Authorization", "Bearer " + bearer).headers(headers).exchange();
    }

    private EntityExchangeResult<byte[]> ok(String uri, String bearer) {
        return get(uri, bearer, h -> { }).expectStatus().isOk().expectBody().returnResult();
    }

    private String etag(String uri, String bearer) {
        return ok(uri, bearer).getResponseHeaders().getETag();
    }

    @Test
    void everyConditionalResourceHasAStrongEtagCacheControlVaryAndDate() {
        Map<String, String> resources = Map.of(
                position(last), student(last),
                "/classes/" + classId + "/enrollments/" + enrolled, student(enrolled),
                "/classes/" + classId, student(last),
                "/classes", student(last));
        resources.forEach((uri, bearer) -> {
            HttpHeaders h = ok(uri, bearer).getResponseHeaders();
            assertThat(h.getETag()).as(uri).matches("\"[0-9]+\\.[0-9]+\"");
            assertThat(h.getCacheControl()).as(uri).isEqualTo("private, no-cache");
            assertThat(h.getVary()).as(uri).contains("Authorization");
            assertThat(h.getFirst(HttpHeaders.DATE)).as(uri).matches(IMF_FIXDATE);
        });
        assertThat(ok(position(last), student(last)).getResponseHeaders().getVary()).contains("Accept", "Authorization");
    }

    @Test
    void ifNoneMatchUsesWeakComparison() {
        String tag = etag(position(last), student(last));
        get(position(last), student(last), h -> h.set("If-None-Match", "W/" + tag)).expectStatus().isNotModified();
        get(position(last), student(last), h -> h.set("If-None-Match", tag)).expectStatus().isNotModified();
    }

    @Test
    void ifNoneMatchListMatchesAnyMember() {
        String tag = etag(position(last), student(last));
        get(position(last), student(last), h -> h.set("If-None-Match", "\"1.1\", " + tag + ", W/\"x\""))
                .expectStatus().isNotModified();
        get(position(last), student(last), h -> {
            h.add("If-None-Match", "\"1.1\"");
            h.add("If-None-Match", tag);
        })
                .expectStatus().isNotModified();
        get(position(last), student(last), h -> h.set("If-None-Match", "\"1.1\", W/\"2.2\""))
                .expectStatus().isOk().expectBody().jsonPath("$.position").isEqualTo(2);
    }

    @Test
    void ifNoneMatchStarIs304WhileTheResourceExistsAnd404Otherwise() {
        get(position(last), student(last), h -> h.set("If-None-Match", "*")).expectStatus().isNotModified();
        get("/classes/" + classId, registrar(), h -> h.set("If-None-Match", "*")).expectStatus().isNotModified();
        String outsider = newId("s");
        get(position(outsider), student(outsider), h -> h.set("If-None-Match", "*")).expectStatus().isNotFound();
        get("/classes/no-such-class", registrar(), h -> h.set("If-None-Match", "*")).expectStatus().isNotFound();
    }

    @Test
    void unquotedGarbageInIfNoneMatchIsIgnored() {
        String tag = etag(position(last), student(last));
        String bare = tag.substring(1, tag.length() - 1);
        get(position(last), student(last), h -> h.set("If-None-Match", bare)).expectStatus().isOk();
        get(position(last), student(last), h -> h.set("If-None-Match", "garbage, " + tag)).expectStatus().isOk();
    }

    @Test
    void preconditionsNeverTurn401Or403Or404Into304Or412() {
        String tag = etag(position(last), student(last));
        http.get().uri(position(last)).header("If-None-Match", tag).exchange().expectStatus().isUnauthorized();
        String other = newId("s");
        get(position(last), student(other), h -> h.set("If-None-Match", "*")).expectStatus().isForbidden();
        get(position(last), instructor(newId("prof")), h -> h.set("If-None-Match", tag)).expectStatus().isForbidden();
        get(position(enrolled), student(enrolled), h -> h.set("If-None-Match", "*")).expectStatus().isNotFound();
        http.delete().uri(position(last)).header("Authorization", "Bearer " + student(other))
                .header("If-Match", "\"1.1\"").exchange().expectStatus().isForbidden();
        http.delete().uri(position(enrolled)).header("Authorization", "Bearer " + student(enrolled))
                .header("If-Match", "\"1.1\"").exchange().expectStatus().isNotFound();
    }

    @Test
    void notModifiedRepeatsTheValidatorHeadersHasNoBodyAndKeepsTheConnection() throws Exception {
        String tag = etag(position(last), student(last));
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            String request = "GET /api/v1" + position(last) + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + student(last) + "\r\n";
            out.write((request + "If-None-Match: " + tag + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            List<String> first304 = readHead(in);
            assertThat(first304.get(0)).startsWith("HTTP/1.1 304");
            assertThat(first304).anyMatch(l -> l.equalsIgnoreCase("ETag: " + tag))
                    .anyMatch(l -> l.equalsIgnoreCase("Cache-Control: private, no-cache"))
                    .anyMatch(l -> l.toLowerCase(Locale.ROOT).startsWith("vary:") && l.contains("Accept"))
                    .anyMatch(l -> l.toLowerCase(Locale.ROOT).startsWith("date:"))
                    .noneMatch(l -> l.toLowerCase(Locale.ROOT).startsWith("content-length:") && !l.endsWith(" 0"));
            // The same connection answers the next request.
            out.write((request + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            List<String> then200 = readHead(in);
            assertThat(then200.get(0)).startsWith("HTTP/1.1 200");
        }
    }

    private static List<String> readHead(BufferedReader in) throws Exception {
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
            lines.add(line);
        }
        return lines;
    }

    @Test
    void headAnswersLikeGetWithoutABody() {
        String tag = etag(position(last), student(last));
        http.head().uri(position(last)).header("Authorization", "Bearer " + student(last)).exchange()
                .expectStatus().isOk().expectHeader().valueEquals("ETag", tag).expectBody().isEmpty();
        http.head().uri(position(last)).header("Authorization", "Bearer " + student(last)).header("If-None-Match", tag)
                .exchange().expectStatus().isNotModified();
    }

    @Test
    void everyMutationThatCanMoveAPositionChangesTheValidatorOfEveryoneBehind() {
        String behind = newId("w");
        List<Runnable> mutations = List.of(
                () -> enroll(classId, behind).expectStatus().isAccepted(),
                () -> patchClass(classId, Map.of("waitlistCapacity", 12)),
                () -> patchClass(classId, Map.of("autoEnrollmentFrozen", true)),
                () -> drop(classId, enrolled, student(enrolled)).expectStatus().isNoContent(),
                // Unfreezing promotes the head: everyone behind moves up.
                () -> patchClass(classId, Map.of("autoEnrollmentFrozen", false)),
                () -> http.delete().uri(position(behind)).header("Authorization", "Bearer " + instructor(prof)).exchange()
                        .expectStatus().isNoContent());
        Set<String> seen = new HashSet<>();
        seen.add(etag(position(last), student(last)));
        for (Runnable mutation : mutations) {
            String before = etag(position(last), student(last));
            mutation.run();
            get(position(last), student(last), h -> h.set("If-None-Match", before)).expectStatus().isOk();
            assertThat(seen.add(etag(position(last), student(last)))).isTrue();
        }
    }

    @Test
    void concurrentDropsWithTheSameIfMatchCannotBothSucceed() {
        String tag = etag("/classes/" + classId + "/enrollments/" + enrolled, student(enrolled));
        List<Integer> statuses = Flux.range(0, 10)
                .flatMap(i -> reactor.core.publisher.Mono.fromCallable(() -> http.delete()
                        .uri("/classes/{c}/enrollments/{s}", classId, enrolled)
                        .header("Authorization", "Bearer " + (i % 2 == 0 ? student(enrolled) : registrar()))
                        .header("If-Match", tag).exchange().returnResult(Void.class).getStatus().value())
                        .subscribeOn(Schedulers.boundedElastic()), 10)
                .collectList().block();
        assertThat(statuses.stream().filter(s -> s == 204).count()).isEqualTo(1);
        assertThat(statuses).allMatch(s -> s == 204 || s == 404 || s == 412);
        assertThat(outboxFor(classId)).hasSize(1);
    }

    @Test
    void ifMatchStarOnlyRequiresTheResourceToExist() {
        http.delete().uri(position(last)).header("Authorization", "Bearer " + student(last)).header("If-Match", "*")
                .exchange().expectStatus().isNoContent();
        http.delete().uri(position(last)).header("Authorization", "Bearer " + student(last)).header("If-Match", "*")
                .exchange().expectStatus().isNotFound();
    }

    @Test
    void corsExposesTheValidatorsToConfiguredOrigins() {
        http.options().uri(position(last)).header("Origin", "https://app.example.edu")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization, if-none-match").exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("Access-Control-Allow-Origin", "https://app.example.edu");
        get(position(last), student(last), h -> h.set("Origin", "https://app.example.edu")).expectStatus().isOk()
                .expectHeader().value("Access-Control-Expose-Headers", v -> assertThat(v).contains("ETag", "Last-Modified"));
        http.options().uri(position(last)).header("Origin", "https://evil.example.com")
                .header("Access-Control-Request-Method", "GET").exchange().expectStatus().isForbidden();
    }

    @Test
    void everyResponseHasADateHeader() {
        http.get().uri("/ping").exchange().expectStatus().isUnauthorized()
                .expectHeader().valueMatches(HttpHeaders.DATE, IMF_FIXDATE.pattern());
        http.get().uri("/ping").header("Authorization", "Bearer " + student(last)).exchange()
                .expectStatus().isOk()
                .expectHeader().valueMatches(HttpHeaders.DATE, IMF_FIXDATE.pattern());
        http.post().uri("/classes").header("Authorization", "Bearer " + registrar())
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{").exchange()
                .expectStatus().isBadRequest()
                .expectHeader().valueMatches(HttpHeaders.DATE, IMF_FIXDATE.pattern());
    }
}
