package io.seatwatch.notifier.webhook.delivery;

import java.time.Duration;

/**
 * The outcome of one attempt as it is recorded.
 *
 * @param statusCode the HTTP status, when a response came
 * @param error what went wrong, when something did ("HTTP 500", "timed out after 15 s", a refusal)
 * @param retryDelay for {@link Result#RETRY}: the wait before the next attempt
 */
public record Attempt(Result result, String url, Integer statusCode, String error, long latencyMs, Duration retryDelay) {

    /** What an attempt leads to (record.lua reads these names). */
    public enum Result {
        /** Any 2xx: delivered. */
        SUCCESS,
        /** A scheduled attempt failed and another is scheduled. */
        RETRY,
        /** The last scheduled attempt failed: dead-letter, and the webhook is FAILING. */
        EXHAUSTED,
        /** A replay failed; replays are not retried. */
        FAILURE,
        /** 410 Gone: the webhook is DISABLED. */
        GONE,
        /** Never sent: the address or scheme is not allowed, or the secret cannot be used. */
        REFUSED
    }
}
