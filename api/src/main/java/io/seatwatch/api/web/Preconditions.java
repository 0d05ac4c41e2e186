package io.seatwatch.api.web;

import io.seatwatch.http.HttpDates;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The conditional-GET precondition of a request (RFC 9110 section 13.2.2): If-None-Match (weak comparison,
 * lists, {@code *}) when present and parsable; otherwise If-Modified-Since when it is a valid HTTP-date no
 * later than now (a date in the future says nothing about what the client holds); only on GET and HEAD. The
 * Lua script that reads the resource evaluates it against the current validator, so a 304 costs one round
 * trip and reads no body: {@code s:<seconds>} holds when the change came before that second began, which is
 * what comparing with {@link ConditionalGet#lastModified} amounts to.
 */
public record Preconditions(String scriptArgument) {

    public static final Preconditions NONE = new Preconditions("");

    public static Preconditions of(ServerHttpRequest request, Instant now) {
        HttpMethod method = request.getMethod();
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            return NONE;
        }
        HttpHeaders headers = request.getHeaders();
        List<String> noneMatch = headers.getOrEmpty(HttpHeaders.IF_NONE_MATCH);
        if (!noneMatch.isEmpty()) {
            String joined = String.join(",", noneMatch);
            if (joined.trim().equals("*")) {
                return new Preconditions("*");
            }
            List<EntityTags.Tag> tags = EntityTags.parse(joined);
            if (!tags.isEmpty()) {
                return new Preconditions("t:" + tags.stream().map(EntityTags.Tag::opaque)
                        .filter(t -> !t.isEmpty() && !t.contains(" "))
                        .collect(Collectors.joining(" ")));
            }
            // An unparsable If-None-Match is ignored, and with it the If-Modified-Since it would override.
            return NONE;
        }
        Optional<Instant> since = HttpDates.parse(headers.getFirst(HttpHeaders.IF_MODIFIED_SINCE), now);
        if (since.isPresent() && !since.get().isAfter(now)) {
            return new Preconditions("s:" + since.get().getEpochSecond());
        }
        return NONE;
    }
}
