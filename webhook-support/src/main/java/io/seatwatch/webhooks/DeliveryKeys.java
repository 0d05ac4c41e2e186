package io.seatwatch.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Names of the Redis keys of webhook deliveries ({@code docs/redis-keys.md}), written by notifier-webhook
 * and read (the delivery log) or added to (a replay) by the api. Both start from the same
 * {@code seatwatch.redis.key-prefix}; the Lua scripts of both derive the same names from it.
 */
public final class DeliveryKeys {

    /** An eventId as the api generates them: a lowercase UUID. */
    public static final Pattern EVENT_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final String prefix;

    public DeliveryKeys(String prefix) {
        if (prefix == null || prefix.isBlank()) {
            throw new IllegalArgumentException("the Redis key prefix must not be blank");
        }
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    /** Sorted set of deliveries waiting for an attempt: member eventId, score = due time (micros). */
    public String due() {
        return prefix + "webhook:due";
    }

    /** Hash of one event's delivery: what to send, its state, and its counters. */
    public String delivery(String eventId) {
        return prefix + "webhook:delivery:" + eventId;
    }

    /** List of one delivery's attempts, oldest first, each a JSON object. */
    public String attempts(String eventId) {
        return delivery(eventId) + ":attempts";
    }

    /** Sorted set (lexicographic) of a subscription's deliveries: member {@code createdAt:eventId}. */
    public String deliveries(String studentId, String classId) {
        return prefix + "webhook:deliveries:" + studentId + ":" + classId;
    }

    /** Counter of replays asked for in the current hour of a subscription. */
    public String replays(String studentId, String classId) {
        return prefix + "webhook:replays:" + studentId + ":" + classId;
    }

    /** Lease of the replica sending an event right now. */
    public String sending(String eventId) {
        return prefix + "webhook:sending:" + eventId;
    }

    /** Marker that an event reached this URL (named by the URL's SHA-1, as the scripts compute it). */
    public String done(String eventId, String url) {
        return prefix + "webhook:done:" + eventId + ":" + sha1Hex(url);
    }

    /** The subscription hash the api writes and every attempt reads. */
    public String subscription(String studentId, String classId) {
        return prefix + "subscription:" + studentId + ":" + classId;
    }

    private static String sha1Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
