package io.seatwatch.notifier.webhook.delivery;

import io.seatwatch.http.HttpDates;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * When to try again after a failed scheduled attempt: the n-th delay of the schedule after the n-th attempt,
 * times a random factor in [1 - jitter, 1 + jitter], and never sooner than a {@code Retry-After} the receiver
 * sent, which is itself cut to at most {@code retryAfterMax}.
 */
public final class RetryPolicy {

    private final List<Duration> schedule;
    private final double jitter;
    private final Duration retryAfterMax;
    private final RandomGenerator random;

    public RetryPolicy(List<Duration> schedule, double jitter, Duration retryAfterMax, RandomGenerator random) {
        if (schedule.isEmpty() || schedule.stream().anyMatch(d -> d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException("the retry schedule must list positive durations, such as 5s,5m,30m");
        }
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("the retry jitter must be at least 0 and below 1");
        }
        this.schedule = List.copyOf(schedule);
        this.jitter = jitter;
        this.retryAfterMax = retryAfterMax;
        this.random = random;
    }

    /** Attempts of one delivery, the first included. */
    public int maxAttempts() {
        return schedule.size() + 1;
    }

    /** True when attempt number {@code attempt} (1-based) failing leaves another attempt. */
    public boolean retriesAfter(int attempt) {
        return attempt < maxAttempts();
    }

    /** The wait after failed attempt number {@code attempt}, given the response's Retry-After (or null). */
    public Duration delayAfter(int attempt, String retryAfter, Instant now) {
        long base = schedule.get(Math.min(attempt, schedule.size()) - 1).toMillis();
        double factor = 1 + (random.nextDouble() * 2 - 1) * jitter;
        Duration delay = Duration.ofMillis(Math.max(1, Math.round(base * factor)));
        Duration asked = parseRetryAfter(retryAfter, now);
        if (asked != null) {
            Duration bounded = asked.compareTo(retryAfterMax) > 0 ? retryAfterMax : asked;
            if (bounded.compareTo(delay) > 0) {
                delay = bounded;
            }
        }
        return delay;
    }

    /**
     * {@code Retry-After} as delay-seconds or an HTTP-date in any of its three forms (RFC 9110 section 10.2.3); a
     * date in the past is no wait; null when absent or invalid.
     */
    static Duration parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        if (v.matches("[0-9]{1,10}")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        return HttpDates.parse(v, now).map(date -> {
            Duration until = Duration.between(now, date);
            return until.isNegative() ? Duration.ZERO : until;
        }).orElse(null);
    }
}
