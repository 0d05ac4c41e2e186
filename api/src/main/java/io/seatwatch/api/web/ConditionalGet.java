package io.seatwatch.api.web;

import io.seatwatch.api.redis.ScriptReply;
import io.seatwatch.http.HttpDates;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * GETs of resources with a validator (RFC 9110 section 13), read against the api's clock: the precondition a
 * request carries, and the answer with strong ETag, Last-Modified, {@code Cache-Control: private, no-cache}, Vary
 * and Date; 304 without a body when the read script found the precondition holding. Callers have already
 * decided 401, 403 and 404, which preconditions never change.
 *
 * <p>Not a ResponseEntity on purpose: Spring would run its own {@code checkNotModified} on one, which matches
 * unquoted tags and future dates (docs/architecture.md, "Conditional requests").
 */
@Component
public class ConditionalGet {

    public static final String CACHE_CONTROL = "private, no-cache";

    private final Clock clock;

    public ConditionalGet(Clock clock) {
        this.clock = clock;
    }

    /** Takes "now" once: the precondition is judged and the answer dated with the same instant. */
    public Request begin(ServerWebExchange exchange) {
        Instant now = clock.instant();
        return new Request(exchange, now, Preconditions.of(exchange.getRequest(), now));
    }

    /**
     * Last-Modified of a resource changed at {@code changedAt}: the first whole second after the change, sent only
     * once {@code now} has reached it. HTTP-dates have whole seconds; rounding the change up means that a 304 for
     * If-Modified-Since S needs a change before S began, so a date a client took from our Date header, or our
     * Last-Modified, can never hide a change made later within the same second. Never later than Date.
     */
    static Optional<Instant> lastModified(Instant changedAt, Instant now) {
        Instant modified = Instant.ofEpochSecond(changedAt.getEpochSecond() + 1);
        return now.isBefore(modified) ? Optional.empty() : Optional.of(modified);
    }

    public record Request(ServerWebExchange exchange, Instant now, Preconditions preconditions) {

        /** Sets status and headers on the response and returns the body, or null for a 304. */
        public <T> T respond(String version, String changedAtMicros, boolean notModified, Supplier<T> body,
                             String... vary) {
            var response = exchange.getResponse();
            HttpHeaders headers = response.getHeaders();
            response.setStatusCode(notModified ? HttpStatus.NOT_MODIFIED : HttpStatus.OK);
            headers.setETag(EntityTags.header(EntityTags.opaque(version, changedAtMicros)));
            headers.set(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL);
            headers.set(HttpHeaders.DATE, HttpDates.format(now));
            headers.setVary(vary.length == 0 ? List.of(HttpHeaders.AUTHORIZATION) : List.of(vary));
            lastModified(ScriptReply.micros(changedAtMicros), now)
                    .ifPresent(modified -> headers.set(HttpHeaders.LAST_MODIFIED, HttpDates.format(modified)));
            return notModified ? null : body.get();
        }
    }
}
