package io.seatwatch.notifier.email;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Effectively-once sending per (eventId, address), shared by every replica through Redis (docs/architecture.md,
 * section "Consumers and deduplication"). Each operation is one Lua script, so no decision spans two round trips:
 * <ul>
 *   <li>{@code email:sending:{eventId}:{address}}: a lease (SET NX PX) whose holder sends; a lease whose
 *       holder died expires and the next delivery takes over (and sends with the same Message-ID);</li>
 *   <li>{@code email:done:{eventId}:{address}}: written after the SMTP server accepted the email; only it
 *       makes a redelivery a no-op.</li>
 * </ul>
 */
@Component
class DeliveryLedger {

    enum State { CLAIMED, DONE, BUSY }

    /** The result of a claim; {@code token} identifies this claim in later calls. */
    record Claim(State state, long leaseMillisLeft, Keys keys, String token) {}

    /** The two keys of one (eventId, address). */
    record Keys(String done, String sending) {}

    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> CLAIM = script("email-claim", List.class);
    private static final RedisScript<Long> DONE = script("email-done", Long.class);
    private static final RedisScript<Long> RELEASE = script("email-release", Long.class);

    private final StringRedisTemplate redis;
    private final String prefix;
    private final EmailProperties.Dedupe dedupe;
    private final String owner;

    DeliveryLedger(StringRedisTemplate redis, RedisKeyProperties keys, EmailProperties properties) {
        this.redis = redis;
        this.prefix = keys.keyPrefix();
        this.dedupe = properties.dedupe();
        this.owner = hostname() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    Keys keys(String eventId, String address) {
        String id = eventId + ":" + address.toLowerCase(Locale.ROOT);
        return new Keys(prefix + "email:done:" + id, prefix + "email:sending:" + id);
    }

    Claim claim(Keys keys) {
        String token = owner + ":" + UUID.randomUUID();
        List<?> reply = redis.execute(CLAIM, List.of(keys.done(), keys.sending()), token,
                Long.toString(dedupe.leaseTtl().toMillis()));
        if (reply == null || reply.size() != 2) {
            throw new IllegalStateException("Unexpected reply of email-claim: " + reply);
        }
        State state = State.valueOf(reply.get(0).toString().toUpperCase(Locale.ROOT));
        return new Claim(state, ((Number) reply.get(1)).longValue(), keys, token);
    }

    void done(Claim claim) {
        redis.execute(DONE, List.of(claim.keys().done(), claim.keys().sending()), claim.token(),
                Long.toString(dedupe.doneTtl().toMillis()));
    }

    void release(Claim claim) {
        redis.execute(RELEASE, List.of(claim.keys().sending()), claim.token());
    }

    Duration leaseTtl() {
        return dedupe.leaseTtl();
    }

    Duration leasePoll() {
        return dedupe.leasePoll();
    }

    private static <T> RedisScript<T> script(String name, Class<T> type) {
        return RedisScript.of(new ClassPathResource("scripts/" + name + ".lua"), type);
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "notifier-email";
        }
    }
}
