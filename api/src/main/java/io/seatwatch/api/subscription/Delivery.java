package io.seatwatch.api.subscription;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.seatwatch.api.redis.ScriptReply;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One webhook delivery of an event to a subscription, as notifier-webhook logged it (docs/subscriptions.md):
 * its status ({@code PENDING DELIVERED FAILED DISABLED CANCELLED REFUSED}) and every attempt.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Delivery(String eventId, String type, String status, Instant createdAt, Instant updatedAt,
                       Instant nextAttemptAt, List<Attempt> attempts) {

    /**
     * One attempt: when, why ({@code scheduled} or {@code replay}), to which URL, and what came of it:
     * {@code SUCCESS}, {@code FAILURE} (then {@code nextAttemptAt} when another is scheduled), {@code GONE}
     * (410: the webhook is now DISABLED), {@code REFUSED} (address not allowed: nothing was sent) or
     * {@code CANCELLED} (the subscription or its webhook was gone, or it was DISABLED).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Attempt(int attempt, Instant at, String trigger, String url, String outcome, Integer statusCode,
                          String error, Long latencyMs, Instant nextAttemptAt) {

        static Attempt of(JsonNode a) {
            return new Attempt(a.path("attempt").asInt(), time(a, "at"), text(a, "trigger"), text(a, "url"),
                    text(a, "outcome"), a.hasNonNull("statusCode") ? a.get("statusCode").asInt() : null, text(a, "error"),
                    a.hasNonNull("latencyMs") ? a.get("latencyMs").asLong() : null, time(a, "nextAttemptAt"));
        }
    }

    static Delivery of(JsonNode d) {
        return new Delivery(text(d, "eventId"), text(d, "type"), text(d, "status"), time(d, "createdAt"),
                time(d, "updatedAt"), time(d, "nextAttemptAt"),
                ScriptReply.elements(d.get("attempts")).stream().map(Attempt::of).toList());
    }

    private static String text(JsonNode node, String field) {
        JsonNode n = node.get(field);
        return n == null || !n.isString() ? null : n.asString();
    }

    private static Instant time(JsonNode node, String field) {
        String micros = text(node, field);
        return micros == null ? null : ScriptReply.micros(micros);
    }
}
