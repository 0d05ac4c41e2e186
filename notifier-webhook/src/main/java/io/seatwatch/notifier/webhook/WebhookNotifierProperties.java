package io.seatwatch.notifier.webhook;

import io.seatwatch.notifier.webhook.http.WebhookTransport;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of notifier-webhook under {@code seatwatch.webhooks} (README.md of this module lists them).
 * {@code allow-http}, {@code allowed-cidrs} and {@code secret-key} are the api's settings of the same names
 * and must have the same values.
 *
 * @param allowHttp deliver to plain {@code http} URLs (development only)
 * @param allowedCidrs comma-separated CIDRs exempt from the address rules (SSRF guard)
 * @param secretKey base64 of the 32-byte AES key the signing secrets are sealed with (SEATWATCH_WEBHOOK_SECRET_KEY)
 * @param retrySchedule delays after a failed attempt: the n-th entry is the wait after the n-th attempt,
 *     so attempts = entries + 1
 * @param retryJitter each delay is multiplied by a random factor in [1 - jitter, 1 + jitter]
 * @param retryAfterMax the longest {@code Retry-After} that is honoured; longer ones are cut to it
 * @param connectTimeout TCP connect timeout of an attempt
 * @param attemptTimeout from the start of an attempt (resolve, connection from the pool or connect, send) until
 *     the response's status line and headers have arrived; the body is not part of it
 * @param bodyTimeout how long the body of a response that came in time may take to arrive (at most 4 KiB of it is
 *     read); a body still coming after it does not change the attempt's outcome, its connection is closed
 * @param lateResponseWindow after a timeout, how long the attempt's connection is still read for a response that
 *     comes late (counted, then the connection is closed); 0 closes it at once
 * @param poolMaxIdleTime a kept-alive connection idle longer than this is closed rather than reused: below the
 *     idle timeouts receivers commonly close connections after, so that a request does not race their close
 * @param transport the Netty transport webhooks are sent on ({@link WebhookTransport})
 * @param leaseTtl how long a claimed attempt stays reserved for the replica that claimed it (at least twice
 *     the attempt timeout): a replica that dies mid-attempt leaves it to others after this
 * @param doneTtl how long the marker that an event reached a URL is kept (redeliveries of the event are
 *     skipped while it exists)
 * @param logTtl how long a delivery and its attempts stay readable in the delivery log
 * @param userAgentVersion the version in {@code User-Agent: Seatwatch-Webhooks/<version>}
 * @param pollInterval how often each replica looks for due attempts
 * @param maxInFlight attempts one replica runs at once
 */
@Validated
@ConfigurationProperties("seatwatch.webhooks")
public record WebhookNotifierProperties(
        @DefaultValue("false") boolean allowHttp,
        @DefaultValue("") String allowedCidrs,
        String secretKey,
        @DefaultValue("5s,5m,30m,2h,5h,10h,14h,20h,24h") @NotEmpty List<Duration> retrySchedule,
        @DefaultValue("0.2") @DecimalMin("0") @DecimalMax("0.9") double retryJitter,
        @DefaultValue("24h") Duration retryAfterMax,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("15s") Duration attemptTimeout,
        @DefaultValue("2s") Duration bodyTimeout,
        @DefaultValue("5s") Duration lateResponseWindow,
        @DefaultValue("4s") Duration poolMaxIdleTime,
        @DefaultValue("epoll") WebhookTransport transport,
        @DefaultValue("30s") Duration leaseTtl,
        @DefaultValue("30d") Duration doneTtl,
        @DefaultValue("30d") Duration logTtl,
        @DefaultValue("dev") @NotBlank String userAgentVersion,
        @DefaultValue("250ms") Duration pollInterval,
        @DefaultValue("64") @Min(1) int maxInFlight) {

    @Override
    public String toString() {
        return "WebhookNotifierProperties[allowHttp=" + allowHttp + ", allowedCidrs=" + allowedCidrs
                + ", secretKey=***, retrySchedule=" + retrySchedule + ", retryJitter=" + retryJitter
                + ", transport=" + transport + "]";
    }
}
