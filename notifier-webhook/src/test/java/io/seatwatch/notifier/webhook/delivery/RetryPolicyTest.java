package io.seatwatch.notifier.webhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {

    static final List<Duration> STANDARD = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30),
            Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(14), Duration.ofHours(20),
            Duration.ofHours(24));
    static final Instant NOW = Instant.parse("2026-11-30T08:00:00Z");

    private final RetryPolicy policy = new RetryPolicy(STANDARD, 0.2, Duration.ofHours(24), new SplittableRandom(7));

    @Test
    void theStandardScheduleGivesTenAttemptsWithDelaysWithinTheJitter() {
        assertThat(policy.maxAttempts()).isEqualTo(10);
        assertThat(policy.retriesAfter(9)).isTrue();
        assertThat(policy.retriesAfter(10)).isFalse();
        for (int attempt = 1; attempt <= 9; attempt++) {
            long base = STANDARD.get(attempt - 1).toMillis();
            int n = attempt;
            List<Long> delays = IntStream.range(0, 200).mapToObj(i -> policy.delayAfter(n, null, NOW).toMillis()).toList();
            assertThat(delays).allMatch(d -> d >= Math.floor(base * 0.8) && d <= Math.ceil(base * 1.2));
            // Jitter spreads them: not all the same.
            assertThat(delays.stream().distinct().count()).isGreaterThan(100);
        }
    }

    @Test
    void retryAfterIsHonouredWhenLongerAndCutToTheMaximum() {
        RetryPolicy exact = new RetryPolicy(STANDARD, 0, Duration.ofHours(1), new SplittableRandom(1));
        assertThat(exact.delayAfter(1, "120", NOW)).isEqualTo(Duration.ofSeconds(120));
        assertThat(exact.delayAfter(1, "1", NOW)).as("never sooner than the schedule").isEqualTo(Duration.ofSeconds(5));
        assertThat(exact.delayAfter(1, "86400", NOW)).isEqualTo(Duration.ofHours(1));
        assertThat(exact.delayAfter(1, "Mon, 30 Nov 2026 08:10:00 GMT", NOW)).isEqualTo(Duration.ofSeconds(600));
        assertThat(exact.delayAfter(1, "soon", NOW)).isEqualTo(Duration.ofSeconds(5));
        assertThat(exact.delayAfter(1, "", NOW)).isEqualTo(Duration.ofSeconds(5));
    }

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource(delimiter = '|', value = {
            // delay-seconds
            "30                                | 2026-11-30T08:00:00Z | PT30S",
            "' 30 '                            | 2026-11-30T08:00:00Z | PT30S",
            "0                                 | 2026-11-30T08:00:00Z | PT0S",
            // IMF-fixdate, on days 1-9 (two-digit day), month and year ends
            "Tue, 01 Dec 2026 00:00:30 GMT     | 2026-12-01T00:00:00Z | PT30S",
            "Wed, 09 Dec 2026 09:10:00 GMT     | 2026-12-09T09:09:00Z | PT1M",
            "Fri, 01 Jan 2027 00:00:05 GMT     | 2026-12-31T23:59:55Z | PT10S",
            "Tue, 29 Feb 2028 00:00:01 GMT     | 2028-02-28T23:59:59Z | PT2S",
            // RFC 850
            "Tuesday, 01-Dec-26 00:00:30 GMT   | 2026-12-01T00:00:00Z | PT30S",
            "Friday, 01-Jan-27 00:00:05 GMT    | 2026-12-31T23:59:55Z | PT10S",
            // asctime, with the space-padded day
            "Tue Dec  1 00:00:30 2026          | 2026-12-01T00:00:00Z | PT30S",
            "Fri Jan  1 00:00:05 2027          | 2026-12-31T23:59:55Z | PT10S",
            "Thu Dec 10 10:00:00 2026          | 2026-12-10T09:00:00Z | PT1H",
            // a date already past asks for no wait
            "Mon, 30 Nov 2026 07:00:00 GMT     | 2026-11-30T08:00:00Z | PT0S",
            "Sunday, 06-Nov-94 08:49:37 GMT    | 2026-11-30T08:00:00Z | PT0S",
            "Sun Nov  6 08:49:37 1994          | 2026-11-30T08:00:00Z | PT0S"})
    void retryAfterIsReadAsDelaySecondsAndInEveryHttpDateForm(String value, Instant now, Duration expected) {
        assertThat(RetryPolicy.parseRetryAfter(value, now)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-5", "1.5", "soon", "Tue, 1 Dec 2026 00:00:30 GMT", "Wed, 01 Dec 2026 00:00:30 GMT",
            "Tue Dec 1 00:00:30 2026", "12345678901"})
    void anythingElseIsIgnored(String value) {
        assertThat(RetryPolicy.parseRetryAfter(value, NOW)).isNull();
        assertThat(RetryPolicy.parseRetryAfter(null, NOW)).isNull();
    }

    @Test
    void badSchedulesAreRefused() {
        assertThatThrownBy(() -> new RetryPolicy(List.of(), 0.2, Duration.ofHours(1), new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(List.of(Duration.ZERO), 0.2, Duration.ofHours(1), new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(STANDARD, 1.0, Duration.ofHours(1), new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
