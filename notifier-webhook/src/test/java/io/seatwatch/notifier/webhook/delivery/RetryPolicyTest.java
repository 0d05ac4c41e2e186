package io.seatwatch.notifier.webhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

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
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(600).atOffset(ZoneOffset.UTC));
        assertThat(exact.delayAfter(1, date, NOW)).isEqualTo(Duration.ofSeconds(600));
        assertThat(exact.delayAfter(1, "soon", NOW)).isEqualTo(Duration.ofSeconds(5));
        assertThat(exact.delayAfter(1, "", NOW)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void retryAfterParsesDelaySecondsAndHttpDates() {
        assertThat(RetryPolicy.parseRetryAfter(" 30 ", NOW)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryPolicy.parseRetryAfter("Mon, 30 Nov 2026 08:01:00 GMT", NOW)).isEqualTo(Duration.ofMinutes(1));
        assertThat(RetryPolicy.parseRetryAfter("Mon, 30 Nov 2026 07:00:00 GMT", NOW)).isEqualTo(Duration.ZERO);
        assertThat(RetryPolicy.parseRetryAfter("-5", NOW)).isNull();
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
