package io.seatwatch.api.subscription;

import io.seatwatch.api.SeatwatchProperties;
import io.seatwatch.api.redis.LuaScripts;
import io.seatwatch.api.redis.RedisKeys;
import io.seatwatch.api.redis.ScriptReply;
import io.seatwatch.api.security.Caller;
import io.seatwatch.api.web.PageRequest;
import io.seatwatch.api.web.Problem;
import io.seatwatch.webhooks.DeliveryKeys;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * The webhook delivery log of a subscription and its replays. notifier-webhook writes the log and runs the
 * attempts; the api reads the log and queues replays into the schedule the notifier claims from, both with
 * one Lua script each, on the key names of {@link DeliveryKeys} (shared with the notifier).
 */
@Service
public class DeliveryService {

    private final RedisKeys keys;
    private final DeliveryKeys deliveries;
    private final SeatwatchProperties properties;
    private final WebhookProperties webhooks;
    private final LuaScripts.Script listDeliveries;
    private final LuaScripts.Script replayDelivery;

    DeliveryService(LuaScripts scripts, RedisKeys keys, SeatwatchProperties properties, WebhookProperties webhooks) {
        this.keys = keys;
        this.deliveries = new DeliveryKeys(keys.prefix());
        this.properties = properties;
        this.webhooks = webhooks;
        this.listDeliveries = scripts.load("list-deliveries");
        this.replayDelivery = scripts.load("replay-delivery");
    }

    public Mono<Listing> list(String studentId, String classId, PageRequest page) {
        return listDeliveries.run(List.of(keys.subscription(studentId, classId), deliveries.deliveries(studentId, classId)),
                        keys.prefix(), page.position(), page.limit())
                .map(DeliveryService::orThrow)
                .map(reply -> new Listing(ScriptReply.elements(reply.get("items")).stream().map(Delivery::of).toList(),
                        reply.text("next")));
    }

    public Mono<Replay> replay(String studentId, String classId, String eventId, Caller caller) {
        return replayDelivery.run(List.of(keys.subscription(studentId, classId), deliveries.delivery(eventId), deliveries.due(),
                        deliveries.replays(studentId, classId), keys.rateLimit(caller.id())),
                        studentId, classId, eventId, webhooks.replaysPerHour(), properties.rateLimit().scriptRate(),
                        properties.rateLimit().burst())
                .map(DeliveryService::orThrow)
                .map(reply -> new Replay(reply.text("eventId"), reply.text("status"),
                        ScriptReply.micros(reply.text("replayRequestedAt"))));
    }

    private static ScriptReply orThrow(ScriptReply reply) {
        if (!reply.failed() || reply.error().equals("rate-limited")) {
            return reply.orThrow();
        }
        throw switch (reply.error()) {
            case "subscription-not-found" -> Problem.notFound("subscription-not-found", "The student has no subscription to this class.");
            case "webhook-not-found" -> Problem.notFound("webhook-not-found", "This subscription has no webhook.");
            case "delivery-not-found" -> Problem.notFound("delivery-not-found",
                    "This subscription has no webhook delivery of that event (deliveries are kept 30 days).");
            case "webhook-disabled" -> Problem.conflict("webhook-disabled", "The webhook is DISABLED (its receiver answered"
                    + " 410 Gone); PUT the subscription with its webhookUrl again to enable it, then replay.");
            case "replay-limit" -> replayLimit(reply.get("retryAfter").asLong(1), reply.get("limit").asInt());
            default -> new IllegalStateException("unexpected script error " + reply.error());
        };
    }

    private static Problem replayLimit(long retryAfter, int limit) {
        Problem p = new Problem(HttpStatus.TOO_MANY_REQUESTS, "replay-limit", "Too many replays",
                "A subscription may replay " + limit + " deliveries per hour; retry after " + retryAfter + " s.")
                .with("retryAfter", retryAfter);
        p.headers().put("Retry-After", Long.toString(retryAfter));
        return p;
    }

    public record Listing(List<Delivery> items, String next) {}

    /** The answer to a replay: the attempt is queued; the delivery's status as it was when asked. */
    public record Replay(String eventId, String status, Instant replayRequestedAt) {}
}
