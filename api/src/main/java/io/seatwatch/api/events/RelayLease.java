package io.seatwatch.api.events;

import io.seatwatch.api.redis.LuaScripts;
import io.seatwatch.api.redis.RedisKeys;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Mono;

/** The relay lease in Redis: one api replica relays at a time, and a standby takes over when it lapses. */
final class RelayLease {

    /** What a check found: whether this replica holds it, and who does. */
    record State(boolean held, String holder) {}

    private final LuaScripts.Script script;
    private final RedisKeys keys;
    private final String owner;
    private final Duration ttl;

    RelayLease(LuaScripts scripts, RedisKeys keys, String owner, Duration ttl) {
        this.script = scripts.load("relay-lease");
        this.keys = keys;
        this.owner = owner;
        this.ttl = ttl;
    }

    /** Takes the lease when free, renews it when this replica holds it. */
    Mono<State> takeOrRenew() {
        return script.run(List.of(keys.relayLease()), owner, ttl.toMillis(), "0")
                .map(reply -> new State(reply.get("held").asBoolean(), reply.text("holder")));
    }

    /** Gives the lease up if this replica holds it, so that a standby need not wait for it to lapse. */
    Mono<Void> release() {
        return script.run(List.of(keys.relayLease()), owner, ttl.toMillis(), "1").then();
    }

    String owner() {
        return owner;
    }
}
