package io.seatwatch.api.web;

import io.seatwatch.api.redis.ScriptReply;
import java.time.Instant;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import java.util.List;
import org.springframework.web.server.ServerWebExchange;

/**
 * The response to a GET of a resource with a validator: strong ETag, Last-Modified (only when Date is at
 * least one second later, so a change within the second of a response is never hidden by a 304),
 * {@code Cache-Control: private, no-cache}, Vary and Date; 304 without a body when the script found the
 * precondition holding. Callers have already decided 401, 403 and 404, which preconditions never change.
 */
public final class Conditional {

    public static final String CACHE_CONTROL = "private, no-cache";

    private Conditional() {}

    /**
     * Sets status and headers on the response and returns the body, or null for a 304. Not a ResponseEntity
     * on purpose: Spring would run its own {@code checkNotModified} on one, which matches unquoted tags and
     * future dates (DESIGN.md section 7).
     */
    public static <T> T respond(ServerWebExchange exchange, Instant now, String version, String changedAtMicros,
                                boolean notModified, Supplier<T> body, String... vary) {
        var response = exchange.getResponse();
        HttpHeaders headers = response.getHeaders();
        response.setStatusCode(notModified ? HttpStatus.NOT_MODIFIED : HttpStatus.OK);
        headers.setETag(EntityTags.header(EntityTags.opaque(version, changedAtMicros)));
        headers.set(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL);
        headers.set(HttpHeaders.DATE, HttpDates.format(now));
        headers.setVary(vary.length == 0 ? List.of(HttpHeaders.AUTHORIZATION) : List.of(vary));
        long modified = ScriptReply.micros(changedAtMicros).getEpochSecond();
        if (now.getEpochSecond() >= modified + 1) {
            headers.set(HttpHeaders.LAST_MODIFIED, HttpDates.format(Instant.ofEpochSecond(modified)));
        }
        return notModified ? null : body.get();
    }
}
