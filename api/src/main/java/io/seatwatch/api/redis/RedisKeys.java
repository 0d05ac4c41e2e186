package io.seatwatch.api.redis;

import io.seatwatch.api.SeatwatchProperties;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/** Names of the Redis keys; {@code docs/redis-keys.md} describes each. */
@Component
public class RedisKeys {

    private final String prefix;

    public RedisKeys(SeatwatchProperties properties) {
        this.prefix = properties.redis().keyPrefix();
    }

    public String prefix() {
        return prefix;
    }

    /** The class key set every class-scoped script takes as KEYS[1..10] (see scripts/lib.lua). */
    public List<String> classKeySet(String classId, String userId) {
        String c = prefix + "class:" + classId;
        List<String> keys = new ArrayList<>(12);
        keys.add(c);
        keys.add(c + ":enrolled");
        keys.add(c + ":enrollments");
        keys.add(c + ":waitlist");
        keys.add(c + ":waitlist-joined");
        keys.add(c + ":drops");
        keys.add(c + ":subscribers");
        keys.add(catalog());
        keys.add(outbox());
        keys.add(rateLimit(userId == null ? "-" : userId));
        return keys;
    }

    public String classChannel(String classId) {
        return prefix + "class:" + classId + ":changes";
    }

    public String studentWaitlists(String studentId) {
        return prefix + "student:" + studentId + ":waitlists";
    }

    public String studentSubscriptions(String studentId) {
        return prefix + "student:" + studentId + ":subscriptions";
    }

    public String subscription(String studentId, String classId) {
        return prefix + "subscription:" + studentId + ":" + classId;
    }

    public String classSubscribers(String classId) {
        return prefix + "class:" + classId + ":subscribers";
    }

    /** A pending email confirmation, named by the SHA-256 (hex) of its one-time token. */
    public String emailConfirmation(String tokenSha256Hex) {
        return prefix + "email-confirmation:" + tokenSha256Hex;
    }

    public String classes() {
        return prefix + "classes";
    }

    public String classKeys() {
        return prefix + "class-keys";
    }

    public String catalog() {
        return prefix + "catalog";
    }

    public String outbox() {
        return prefix + "outbox";
    }

    public String outboxDead() {
        return prefix + "outbox:dead";
    }

    public String outboxFailures() {
        return prefix + "outbox:failures";
    }

    public String relayLease() {
        return prefix + "outbox:relay-lease";
    }

    public String rateLimit(String userId) {
        return prefix + "rate:" + userId;
    }
}
