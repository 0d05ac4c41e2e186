package io.seatwatch.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpHeaders;

class HttpDatesTest {

    /** RFC 9110's IMF-fixdate, as a recipient checks it. */
    static final Pattern IMF_FIXDATE = Pattern.compile("^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} "
            + "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d{2}:\\d{2}:\\d{2} GMT$");

    static final Instant NOW = Instant.parse("2026-12-03T15:15:16Z");

    // Expected texts are written out, not produced by any formatter: a formatter checked only against its own
    // parser (or against a formatter with the same bug) proves nothing.
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2026-12-03T15:15:16Z        | Thu, 03 Dec 2026 15:15:16 GMT",
            "2026-03-01T00:00:00Z        | Sun, 01 Mar 2026 00:00:00 GMT",
            "2026-09-09T09:09:09.999Z    | Wed, 09 Sep 2026 09:09:09 GMT",
            "2026-09-10T10:10:10Z        | Thu, 10 Sep 2026 10:10:10 GMT",
            "2026-01-31T23:59:59Z        | Sat, 31 Jan 2026 23:59:59 GMT",
            "2028-02-29T12:00:00Z        | Tue, 29 Feb 2028 12:00:00 GMT",
            "2024-02-29T01:02:03Z        | Thu, 29 Feb 2024 01:02:03 GMT",
            "2026-12-31T23:59:59.999999Z | Thu, 31 Dec 2026 23:59:59 GMT",
            "2027-01-01T00:00:00Z        | Fri, 01 Jan 2027 00:00:00 GMT",
            "1994-11-06T08:49:37Z        | Sun, 06 Nov 1994 08:49:37 GMT",
            "1970-01-01T00:00:00Z        | Thu, 01 Jan 1970 00:00:00 GMT",
            "0999-05-04T03:02:01Z        | Sat, 04 May 0999 03:02:01 GMT",
            "9999-12-31T23:59:59Z        | Fri, 31 Dec 9999 23:59:59 GMT"})
    void writesImfFixdateWithATwoDigitDay(Instant instant, String expected) {
        String written = HttpDates.format(instant);
        assertThat(written).isEqualTo(expected).hasSize(HttpDates.LENGTH).matches(IMF_FIXDATE);
        assertThat(HttpDates.parse(written, NOW)).contains(Instant.ofEpochSecond(instant.getEpochSecond()));
    }

    @Test
    void everyDayFrom1970To2100AgreesWithSpringsHttpHeaders() {
        // Spring's HttpHeaders writes dates with its own pattern: an independent implementation to compare against.
        Instant instant = Instant.parse("1970-01-01T00:00:00Z");
        Instant end = Instant.parse("2101-01-01T00:00:00Z");
        long step = Duration.ofHours(24).plusMinutes(7).plusSeconds(13).getSeconds();
        int checked = 0;
        while (instant.isBefore(end)) {
            HttpHeaders spring = new HttpHeaders();
            spring.setDate(instant.toEpochMilli());
            String written = HttpDates.format(instant);
            assertThat(written).isEqualTo(spring.getFirst(HttpHeaders.DATE)).matches(IMF_FIXDATE);
            assertThat(HttpDates.parse(written, NOW)).contains(instant);
            instant = instant.plusSeconds(step);
            checked++;
        }
        assertThat(checked).isGreaterThan(47_000);
    }

    @Test
    void theRememberedLastDateNeverAnswersForAnotherSecond() {
        Instant a = Instant.parse("2026-12-09T10:00:00.900Z");
        Instant b = a.plusMillis(200);
        for (int i = 0; i < 3; i++) {
            assertThat(HttpDates.format(a)).isEqualTo("Wed, 09 Dec 2026 10:00:00 GMT");
            assertThat(HttpDates.format(a.plusMillis(50))).isEqualTo("Wed, 09 Dec 2026 10:00:00 GMT");
            assertThat(HttpDates.format(b)).isEqualTo("Wed, 09 Dec 2026 10:00:01 GMT");
        }
    }

    @Test
    void yearsWithoutFourDigitsCannotBeWritten() {
        assertThatThrownBy(() -> HttpDates.format(Instant.parse("+10000-01-01T00:00:00Z")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpDates.format(Instant.parse("-0001-12-31T00:00:00Z")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // IMF-fixdate
            "Sun, 06 Nov 1994 08:49:37 GMT     | 1994-11-06T08:49:37Z",
            "Sun, 01 Mar 2026 00:00:00 GMT     | 2026-03-01T00:00:00Z",
            "Tue, 29 Feb 2028 12:00:00 GMT     | 2028-02-29T12:00:00Z",
            "Thu, 31 Dec 2026 23:59:59 GMT     | 2026-12-31T23:59:59Z",
            // RFC 850
            "Sunday, 06-Nov-94 08:49:37 GMT    | 1994-11-06T08:49:37Z",
            "Sunday, 01-Mar-26 00:00:00 GMT    | 2026-03-01T00:00:00Z",
            "Wednesday, 09-Sep-26 09:09:09 GMT | 2026-09-09T09:09:09Z",
            "Tuesday, 29-Feb-28 12:00:00 GMT   | 2028-02-29T12:00:00Z",
            "Friday, 01-Jan-27 00:00:00 GMT    | 2027-01-01T00:00:00Z",
            // asctime, day padded with a space or two digits
            "Sun Nov  6 08:49:37 1994          | 1994-11-06T08:49:37Z",
            "Wed Sep  9 09:09:09 2026          | 2026-09-09T09:09:09Z",
            "Thu Sep 10 10:10:10 2026          | 2026-09-10T10:10:10Z",
            "Thu Feb 29 01:02:03 2024          | 2024-02-29T01:02:03Z",
            "Thu Dec 31 23:59:59 2026          | 2026-12-31T23:59:59Z"})
    void readsTheThreeForms(String value, Instant expected) {
        assertThat(HttpDates.parse(value, NOW)).contains(expected);
        assertThat(HttpDates.parse("  " + value + " ", NOW)).as("surrounding whitespace").contains(expected);
    }

    @Test
    void anRfc850YearIsTheOneWithinFiftyYearsOfNow() {
        // Now is 2026: "76" is at most 50 years ahead, "77" would be 51, so it is 1977.
        assertThat(HttpDates.parse("Sunday, 01-Mar-76 00:00:00 GMT", NOW)).contains(Instant.parse("2076-03-01T00:00:00Z"));
        assertThat(HttpDates.parse("Tuesday, 01-Mar-77 00:00:00 GMT", NOW)).contains(Instant.parse("1977-03-01T00:00:00Z"));
        // The same text read in 2099 lands in the next century.
        Instant in2099 = Instant.parse("2099-06-01T00:00:00Z");
        assertThat(HttpDates.parse("Friday, 01-Jan-00 00:00:00 GMT", in2099)).contains(Instant.parse("2100-01-01T00:00:00Z"));
        assertThat(HttpDates.parse("Thursday, 31-Dec-99 23:59:59 GMT", in2099)).contains(Instant.parse("2099-12-31T23:59:59Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "yesterday",
            "Thu, 3 Dec 2026 15:15:16 GMT",      // one-digit day: RFC 5322's form, not an HTTP-date
            "Wed, 03 Dec 2026 15:15:16 GMT",     // the weekday contradicts the date
            "Mon, 30 Feb 2026 10:00:00 GMT",     // no such day
            "Sun, 29 Feb 2026 10:00:00 GMT",     // 2026 is no leap year
            "Thu, 03 Dec 2026 24:00:00 GMT",
            "Thu, 03 Dec 2026 23:59:60 GMT",
            "Thu, 03 Dec 2026 15:15:16 UTC",
            "Thu, 03 Dec 2026 15:15:16 +0000",
            "thu, 03 dec 2026 15:15:16 GMT",     // HTTP-date is case-sensitive
            "Thu, 03 Dec 2026 15:15 GMT",
            "Thursday, 03-Dec-2026 15:15:16 GMT",
            "Thu Dec 3 15:15:16 2026",           // asctime pads the day with a space, not nothing
            "2026-12-03T15:15:16Z",
            "1796309716"})
    void anythingElseIsNotAnHttpDate(String value) {
        assertThat(HttpDates.parse(value, NOW)).isEmpty();
    }

    @Test
    void nullIsNotADate() {
        assertThat(HttpDates.parse(null, NOW)).isEmpty();
    }

    @Test
    void writingIsSafeFromManyThreadsAtOnce() throws Exception {
        Instant base = Instant.parse("2026-12-01T00:00:00Z");
        Thread[] threads = new Thread[4];
        AtomicInteger wrong = new AtomicInteger();
        for (int t = 0; t < threads.length; t++) {
            int offset = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    Instant instant = base.plusSeconds((i + offset) % 7);
                    String expected = "Tue, 01 Dec 2026 00:00:0" + ((i + offset) % 7) + " GMT";
                    if (!HttpDates.format(instant).equals(expected)) {
                        wrong.incrementAndGet();
                    }
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(wrong).hasValue(0);
    }

    @Test
    void dayNamesFollowTheCalendarForEveryWeekday() {
        LocalDate monday = LocalDate.of(2026, 11, 30);
        String[] names = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
        for (int i = 0; i < 7; i++) {
            Instant instant = monday.plusDays(i).atStartOfDay(ZoneOffset.UTC).toInstant();
            assertThat(HttpDates.format(instant)).startsWith(names[i] + ", ");
        }
    }
}
