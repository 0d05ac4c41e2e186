package io.seatwatch.api.web;

import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.server.ServerWebExchange;

/**
 * Answers a GET of a resource with a strong ETag: 304 (no body built) when If-None-Match matches,
 * otherwise 200. Callers have already decided 401, 403 and 404, which preconditions never change.
 */
public final class Conditional {

    private Conditional() {}

    public static <T> ResponseEntity<T> get(ServerWebExchange exchange, String opaqueTag, Supplier<T> body) {
        String etag = EntityTags.header(opaqueTag);
        String ifNoneMatch = String.join(",", exchange.getRequest().getHeaders().getOrEmpty(HttpHeaders.IF_NONE_MATCH));
        boolean notModified = !ifNoneMatch.isEmpty() && EntityTags.noneMatchHits(ifNoneMatch, opaqueTag);
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(notModified ? HttpStatus.NOT_MODIFIED : HttpStatus.OK)
                .eTag(etag)
                .header(HttpHeaders.CACHE_CONTROL, "private, no-cache")
                .varyBy(HttpHeaders.AUTHORIZATION);
        return notModified ? builder.build() : builder.body(body.get());
    }
}
