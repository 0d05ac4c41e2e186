package io.seatwatch.notifier.webhook.delivery;

import io.seatwatch.notifier.webhook.WebhookNotifierProperties;
import io.seatwatch.webhooks.DeliveryKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The webhook schedule and delivery log in Redis: every change is one Lua script under
 * {@code classpath:scripts/} (with {@code lib.lua} prepended), so that replicas sharing one Redis never
 * claim, record or cancel the same delivery twice.
 */
@Component
public class DeliveryStore {

    private final ReactiveStringRedisTemplate redis;
    private final JsonMapper json;
    private final DeliveryKeys keys;
    private final WebhookNotifierProperties properties;
    private final RedisScript<String> accept;
    private final RedisScript<String> claim;
    private final RedisScript<String> record;
    private final RedisScript<String> deadLettered;

    DeliveryStore(ReactiveStringRedisTemplate redis, JsonMapper json, DeliveryKeys keys, WebhookNotifierProperties properties) {
        this.redis = redis;
        this.json = json;
        this.keys = keys;
        this.properties = properties;
        String lib = read("lib");
        this.accept = RedisScript.of(lib + read("accept"), String.class);
        this.claim = RedisScript.of(lib + read("claim"), String.class);
        this.record = RedisScript.of(lib + read("record"), String.class);
        this.deadLettered = RedisScript.of(lib + read("dead-lettered"), String.class);
    }

    private static String read(String name) {
        try {
            return new ClassPathResource("scripts/" + name + ".lua").getContentAsString(StandardCharsets.UTF_8) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException("missing script " + name, e);
        }
    }

    private Mono<JsonNode> run(RedisScript<String> script, List<String> scriptKeys, Object... args) {
        List<String> argv = Arrays.stream(args).map(String::valueOf).toList();
        return redis.execute(script, scriptKeys, argv).next().map(reply -> (JsonNode) json.readTree(reply));
    }

    /** Takes an event into the schedule; false when it was there already (a redelivered message). */
    public Mono<Boolean> accept(Promotion promotion) {
        return run(accept, List.of(keys.delivery(promotion.eventId()), keys.due(),
                        keys.deliveries(promotion.studentId(), promotion.classId()),
                        keys.done(promotion.eventId(), promotion.webhookUrl())),
                promotion.eventId(), promotion.studentId(), promotion.classId(), promotion.webhookUrl(),
                promotion.webhookBody(), promotion.event(), properties.logTtl().toMillis(), Promotion.WEBHOOK_TYPE)
                .map(reply -> reply.path("accepted").asBoolean());
    }

    /** Up to {@code max} due deliveries, each now leased to {@code owner}. */
    public Mono<List<Task>> claim(int max, String owner) {
        return run(claim, List.of(keys.due()), keys.prefix(), max, properties.leaseTtl().toMillis(), owner,
                properties.logTtl().toMillis())
                .map(reply -> {
                    List<Task> tasks = new ArrayList<>();
                    JsonNode list = reply.path("tasks");
                    if (list.isArray()) {
                        list.forEach(t -> tasks.add(Task.of(t)));
                    }
                    return tasks;
                });
    }

    /** Writes an attempt's outcome; the reply says whether the dead-letter message is due now. */
    public Mono<Recorded> record(Task task, String owner, Attempt attempt) {
        return run(record, List.of(keys.delivery(task.eventId()), keys.due(), keys.sending(task.eventId()),
                        keys.subscription(task.studentId(), task.classId()), keys.done(task.eventId(), attempt.url()),
                        keys.deliveries(task.studentId(), task.classId())),
                task.eventId(), owner, task.trigger(), attempt.result().name(), attempt.url(),
                attempt.statusCode() == null ? "" : attempt.statusCode(), attempt.error() == null ? "" : attempt.error(),
                attempt.latencyMs(), attempt.retryDelay() == null ? 0 : attempt.retryDelay().toMillis(),
                properties.doneTtl().toMillis(), properties.logTtl().toMillis())
                .map(reply -> new Recorded(reply.path("status").asString(), reply.path("deadLetter").asBoolean()));
    }

    /** The dead-letter message of this delivery is out. */
    public Mono<Void> deadLettered(Task task, String owner) {
        return run(deadLettered, List.of(keys.delivery(task.eventId()), keys.due(), keys.sending(task.eventId())),
                task.eventId(), owner).then();
    }

    /** The outcome of one attempt as the delivery log keeps it. */
    public record Recorded(String status, boolean deadLetter) {}
}
