package io.seatwatch.api.events;

import io.seatwatch.api.redis.LuaScripts;
import io.seatwatch.api.redis.RedisKeys;
import io.seatwatch.api.redis.ScriptReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * The outbox stream as the relay sees it: entries to publish (its pending ones idle past {@code reclaimIdle}
 * first, then new ones, read in the consumer group {@value #GROUP}), settling those the broker has, and counting
 * those it refused until they move to the dead-entry stream. Each operation is one script.
 */
final class OutboxStore {

    static final String GROUP = "relay";

    /** An outbox entry: its stream id and its fields, as the script that wrote it stored them. */
    record Entry(String id, Map<String, String> fields) {}

    /** A read; {@code leaseLost} when this replica no longer held the lease. */
    record Fetched(List<Entry> entries, boolean leaseLost) {}

    /** A refusal counted: the count so far, and whether it moved the entry to the dead stream. */
    record Refusal(int attempts, boolean dead) {}

    private final LuaScripts.Script fetch;
    private final LuaScripts.Script ack;
    private final LuaScripts.Script fail;
    private final RedisKeys keys;
    private final String owner;
    private final Duration reclaimIdle;
    private final int maxAttempts;

    OutboxStore(LuaScripts scripts, RedisKeys keys, String owner, Duration reclaimIdle, int maxAttempts) {
        this.fetch = scripts.load("relay-fetch");
        this.ack = scripts.load("relay-ack");
        this.fail = scripts.load("relay-fail");
        this.keys = keys;
        this.owner = owner;
        this.reclaimIdle = reclaimIdle;
        this.maxAttempts = maxAttempts;
    }

    Mono<Fetched> fetch(int max) {
        return fetch.run(List.of(keys.outbox(), keys.relayLease()), GROUP, owner, max, reclaimIdle.toMillis())
                .map(reply -> {
                    if (reply.failed()) {
                        return new Fetched(List.of(), true);
                    }
                    List<Entry> entries = new ArrayList<>();
                    for (var node : ScriptReply.elements(reply.get("entries"))) {
                        Map<String, String> fields = new HashMap<>();
                        node.path("f").properties().forEach(e -> fields.put(e.getKey(), e.getValue().asString()));
                        entries.add(new Entry(node.path("id").asString(), fields));
                    }
                    return new Fetched(entries, false);
                });
    }

    /** Settles entries the broker has: acknowledged in the group and deleted from the stream. */
    Mono<Void> ack(Collection<String> ids) {
        List<Object> args = new ArrayList<>(ids.size() + 1);
        args.add(GROUP);
        args.addAll(ids);
        return ack.run(List.of(keys.outbox(), keys.outboxFailures()), args.toArray()).then();
    }

    /** Counts a refusal; at {@code maxAttempts} the entry moves to the dead-entry stream. */
    Mono<Refusal> refuse(String id, String reason) {
        return fail.run(List.of(keys.outbox(), keys.outboxFailures(), keys.outboxDead()), GROUP, id, maxAttempts,
                        reason)
                .map(reply -> new Refusal(reply.get("attempts").asInt(), reply.get("dead").asBoolean()));
    }
}
