package io.seatwatch.api.conditional;

import static io.seatwatch.testsupport.HttpDateFormat.IMF_FIXDATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.seatwatch.api.ApiTestSupport;
import io.seatwatch.api.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Date, Last-Modified and If-Modified-Since with the api's clock pinned, on the days a date formatter gets wrong.
 * Redis {@code TIME} cannot be pinned, so each test sets the class's stored change time, which the position's and
 * the class's validators are made of. Expected dates are written out by hand.
 */
@TestPropertySource(properties = "seatwatch.redis.key-prefix=sw:v1:test:conditional-dates:")
class ConditionalDatesTest extends ApiTestSupport {

    @TestConfiguration
    static class PinnedClock {
        @Bean
        @Primary
        TestClock testClock() {
            return new TestClock();
        }
    }

    @Autowired
    TestClock clock;

    @Value("${local.management.port}")
    int managementPort;

    private String classId;
    private String first;
    private String waiting;

    @BeforeEach
    void fixture() {
        clock.release();
        classId = createClassId(newId("prof"), 1, 10);
        enroll(classId, newId("s")).expectStatus().isCreated();
        first = newId("w");
        waiting = newId("w");
        enroll(classId, first).expectStatus().isAccepted();
        enroll(classId, waiting).expectStatus().isAccepted();
    }

    /** The class last changed at this instant, as if Redis TIME had said so. */
    private void classChangedAt(Instant changedAt) {
        long micros = changedAt.getEpochSecond() * 1_000_000L + changedAt.getNano() / 1_000;
        redis.opsForHash().put(keys.classKeySet(classId, null).get(0), "changedAt", Long.toString(micros)).block();
    }

    /** A token valid at the pinned instant (the api judges exp by its clock). */
    private String tokenOf(String sub, String role) {
        return sign(SECRET, sub, List.of(role), null, clock.instant(), clock.instant().plus(Duration.ofHours(1)));
    }

    private WebTestClient.ResponseSpec get(String uri, String bearer, Consumer<HttpHeaders> headers) {
        return http.get().uri(uri).header("Authorization", "Bearer " + bearer).headers(headers).exchange();
    }

    private String position() {
        return "/classes/" + classId + "/waitlist/" + waiting;
    }

    private WebTestClient.ResponseSpec position(Consumer<HttpHeaders> headers) {
        return get(position(), tokenOf(waiting, "student"), headers);
    }

    private WebTestClient.ResponseSpec positionSince(String ifModifiedSince) {
        return position(h -> h.set(HttpHeaders.IF_MODIFIED_SINCE, ifModifiedSince));
    }

    @ParameterizedTest(name = "changed {0}, read {1}")
    @CsvSource(delimiter = '|', value = {
            // changed at                 | read at (the api's now)     | Last-Modified                 | Date
            "2026-03-01T08:04:05.250Z     | 2026-03-01T09:05:07.100Z    | Sun, 01 Mar 2026 08:04:06 GMT | Sun, 01 Mar 2026 09:05:07 GMT",
            "2026-09-09T09:09:08.500Z     | 2026-09-09T09:09:09Z        | Wed, 09 Sep 2026 09:09:09 GMT | Wed, 09 Sep 2026 09:09:09 GMT",
            "2026-09-10T10:00:00Z         | 2026-09-10T10:10:10.999Z    | Thu, 10 Sep 2026 10:00:01 GMT | Thu, 10 Sep 2026 10:10:10 GMT",
            "2026-01-31T23:59:58.999999Z  | 2026-01-31T23:59:59.000001Z | Sat, 31 Jan 2026 23:59:59 GMT | Sat, 31 Jan 2026 23:59:59 GMT",
            "2028-02-28T23:59:59.900Z     | 2028-02-29T00:00:00.100Z    | Tue, 29 Feb 2028 00:00:00 GMT | Tue, 29 Feb 2028 00:00:00 GMT",
            "2024-02-29T11:59:00.500Z     | 2024-02-29T12:00:00Z        | Thu, 29 Feb 2024 11:59:01 GMT | Thu, 29 Feb 2024 12:00:00 GMT",
            "2026-12-31T23:59:58.400Z     | 2027-01-01T00:00:05Z        | Thu, 31 Dec 2026 23:59:59 GMT | Fri, 01 Jan 2027 00:00:05 GMT",
            "2026-12-31T23:59:59.400Z     | 2027-01-01T00:00:00.600Z    | Fri, 01 Jan 2027 00:00:00 GMT | Fri, 01 Jan 2027 00:00:00 GMT",
            "2026-12-03T15:15:15.500Z     | 2026-12-03T15:15:16Z        | Thu, 03 Dec 2026 15:15:16 GMT | Thu, 03 Dec 2026 15:15:16 GMT"})
    void lastModifiedSentBackAsIfModifiedSinceIs304OnEveryDay(Instant changedAt, Instant now, String lastModified,
                                                             String date) {
        classChangedAt(changedAt);
        clock.pin(now);
        for (String uri : List.of(position(), "/classes/" + classId)) {
            String bearer = tokenOf(waiting, "student");
            HttpHeaders ok = get(uri, bearer, h -> { }).expectStatus().isOk().expectBody().returnResult()
                    .getResponseHeaders();
            assertThat(ok.getFirst(HttpHeaders.DATE)).as(uri).isEqualTo(date).matches(IMF_FIXDATE);
            assertThat(ok.getFirst(HttpHeaders.LAST_MODIFIED)).as(uri).isEqualTo(lastModified).matches(IMF_FIXDATE);

            EntityExchangeResult<byte[]> revalidated = get(uri, bearer, h -> h.set(HttpHeaders.IF_MODIFIED_SINCE, lastModified))
                    .expectStatus().isNotModified().expectBody().returnResult();
            assertThat(revalidated.getResponseBody()).as(uri).isNull();
            assertThat(revalidated.getResponseHeaders().getFirst(HttpHeaders.DATE)).as(uri).isEqualTo(date);
            assertThat(revalidated.getResponseHeaders().getETag()).as(uri).isEqualTo(ok.getETag());
        }
    }

    @Test
    void lastModifiedWaitsUntilTheSecondAfterTheChangeHasBegun() {
        classChangedAt(Instant.parse("2026-10-01T06:30:00.999999Z"));
        clock.pin(Instant.parse("2026-10-01T06:30:00.999999Z"));
        position(h -> { }).expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.DATE, "Thu, 01 Oct 2026 06:30:00 GMT")
                .expectHeader().doesNotExist(HttpHeaders.LAST_MODIFIED);
        clock.pin(Instant.parse("2026-10-01T06:30:01Z"));
        position(h -> { }).expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.DATE, "Thu, 01 Oct 2026 06:30:01 GMT")
                .expectHeader().valueEquals(HttpHeaders.LAST_MODIFIED, "Thu, 01 Oct 2026 06:30:01 GMT");
    }

    @Test
    void aChangeWithinTheSecondOfAReadIsNeverHiddenBy304() {
        classChangedAt(Instant.parse("2026-12-09T10:00:00.200Z"));
        clock.pin(Instant.parse("2026-12-09T10:00:00.700Z"));
        EntityExchangeResult<byte[]> read = position(h -> { }).expectStatus().isOk().expectBody()
                .jsonPath("$.position").isEqualTo(2).returnResult();
        HttpHeaders before = read.getResponseHeaders();
        assertThat(before.getFirst(HttpHeaders.DATE)).isEqualTo("Wed, 09 Dec 2026 10:00:00 GMT");
        assertThat(before.getFirst(HttpHeaders.LAST_MODIFIED)).as("the change shares the read's second").isNull();

        // Within the same second, the student ahead leaves: waiting moves up to 1.
        http.delete().uri("/classes/{c}/waitlist/{s}", classId, first)
                .header("Authorization", "Bearer " + tokenOf(first, "student")).exchange().expectStatus().isNoContent();
        classChangedAt(Instant.parse("2026-12-09T10:00:00.900Z"));

        clock.pin(Instant.parse("2026-12-09T10:00:01.500Z"));
        position(h -> h.set(HttpHeaders.IF_NONE_MATCH, before.getETag())).expectStatus().isOk()
                .expectBody().jsonPath("$.position").isEqualTo(1);
        // A cache without Last-Modified may revalidate with the Date it got (RFC 9110 section 13.1.3).
        positionSince(before.getFirst(HttpHeaders.DATE)).expectStatus().isOk()
                .expectBody().jsonPath("$.position").isEqualTo(1);
        HttpHeaders after = position(h -> { }).expectStatus().isOk().expectBody().returnResult().getResponseHeaders();
        assertThat(after.getFirst(HttpHeaders.LAST_MODIFIED)).isEqualTo("Wed, 09 Dec 2026 10:00:01 GMT");
        positionSince(after.getFirst(HttpHeaders.LAST_MODIFIED)).expectStatus().isNotModified();
    }

    @Test
    void ifModifiedSinceAfterNowIsIgnored() {
        classChangedAt(Instant.parse("2026-06-10T10:00:00.500Z"));
        clock.pin(Instant.parse("2026-06-10T12:00:00.500Z"));
        positionSince("Wed, 10 Jun 2026 12:00:00 GMT").expectStatus().isNotModified();
        // One second later than now: the client cannot hold a copy from then, so the header is ignored.
        positionSince("Wed, 10 Jun 2026 12:00:01 GMT").expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.DATE, "Wed, 10 Jun 2026 12:00:00 GMT");
        positionSince("Fri, 31 Dec 9999 23:59:59 GMT").expectStatus().isOk();
        // The same date is honoured once the clock has passed it.
        clock.pin(Instant.parse("2026-06-10T12:00:01Z"));
        positionSince("Wed, 10 Jun 2026 12:00:01 GMT").expectStatus().isNotModified();
    }

    @Test
    void ifModifiedSinceIsReadInAllThreeForms() {
        classChangedAt(Instant.parse("2026-09-09T08:00:00.500Z"));
        clock.pin(Instant.parse("2026-09-09T09:09:09.500Z"));
        position(h -> { }).expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.LAST_MODIFIED, "Wed, 09 Sep 2026 08:00:01 GMT");
        for (String since : List.of("Wed, 09 Sep 2026 08:00:01 GMT", "Wednesday, 09-Sep-26 08:00:01 GMT",
                "Wed Sep  9 08:00:01 2026")) {
            positionSince(since).expectStatus().isNotModified();
        }
        // A second earlier, the change had not happened yet.
        for (String since : List.of("Wed, 09 Sep 2026 08:00:00 GMT", "Wednesday, 09-Sep-26 08:00:00 GMT",
                "Wed Sep  9 08:00:00 2026", "Sunday, 06-Nov-94 08:49:37 GMT")) {
            positionSince(since).expectStatus().isOk();
        }
    }

    @Test
    void ifNoneMatchTakesPrecedenceOverIfModifiedSince() {
        classChangedAt(Instant.parse("2026-05-31T10:00:00Z"));
        clock.pin(Instant.parse("2026-05-31T11:00:00Z"));
        positionSince("Sun, 31 May 2026 10:00:01 GMT").expectStatus().isNotModified();
        position(h -> {
            h.set(HttpHeaders.IF_NONE_MATCH, "\"1.1\"");
            h.set(HttpHeaders.IF_MODIFIED_SINCE, "Sun, 31 May 2026 10:00:01 GMT");
        }).expectStatus().isOk();
    }

    @Test
    void ifModifiedSinceOnlyAppliesToGetAndHead() {
        classChangedAt(Instant.parse("2026-05-31T10:00:00Z"));
        clock.pin(Instant.parse("2026-05-31T11:00:00Z"));
        http.head().uri(position()).header("Authorization", "Bearer " + tokenOf(waiting, "student"))
                .header(HttpHeaders.IF_MODIFIED_SINCE, "Sun, 31 May 2026 10:00:01 GMT").exchange()
                .expectStatus().isNotModified();
        http.delete().uri(position()).header("Authorization", "Bearer " + tokenOf(waiting, "student"))
                .header(HttpHeaders.IF_MODIFIED_SINCE, "Sun, 31 May 2026 10:00:01 GMT").exchange()
                .expectStatus().isNoContent();
    }

    @Test
    void invalidIfModifiedSinceIsIgnored() {
        classChangedAt(Instant.parse("2026-09-09T08:00:00.500Z"));
        clock.pin(Instant.parse("2026-09-09T09:09:09.500Z"));
        for (String bad : List.of("yesterday", "", "Wed, 9 Sep 2026 09:00:00 GMT", "Thu, 09 Sep 2026 09:00:00 GMT",
                "Wed, 31 Sep 2026 09:00:00 GMT", "Wed Sep 9 09:00:00 2026", "2026-09-09T09:00:00Z")) {
            positionSince(bad).expectStatus().isOk();
        }
    }

    @Test
    void errorsAndTheManagementPortAreDatedByTheSameClock() {
        clock.pin(Instant.parse("2026-07-09T07:08:09.123Z"));
        http.get().uri("/ping").exchange().expectStatus().isUnauthorized()
                .expectHeader().valueEquals(HttpHeaders.DATE, "Thu, 09 Jul 2026 07:08:09 GMT");
        http.post().uri("/classes").header("Authorization", "Bearer " + tokenOf("registrar1", "registrar"))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{").exchange().expectStatus().isBadRequest()
                .expectHeader().valueEquals(HttpHeaders.DATE, "Thu, 09 Jul 2026 07:08:09 GMT");
        WebTestClient.bindToServer().baseUrl("http://localhost:" + managementPort).build()
                .get().uri("/actuator/health/liveness").exchange().expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.DATE, "Thu, 09 Jul 2026 07:08:09 GMT");
    }

    @Test
    void tokensExpireByTheApisClock() {
        clock.pin(Instant.parse("2031-01-01T00:00:00Z"));
        String validThen = tokenOf(waiting, "student");
        position(h -> { }).expectStatus().isOk();
        clock.pin(Instant.parse("2031-01-01T02:00:00Z"));
        get(position(), validThen, h -> { }).expectStatus().isUnauthorized();
    }
}
