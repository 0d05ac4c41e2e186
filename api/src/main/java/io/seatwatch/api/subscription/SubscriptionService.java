package io.seatwatch.api.subscription;

import io.seatwatch.api.SeatwatchProperties;
import io.seatwatch.api.events.EventIds;
import io.seatwatch.api.redis.LuaScripts;
import io.seatwatch.api.redis.RedisKeys;
import io.seatwatch.api.redis.ScriptReply;
import io.seatwatch.api.security.Caller;
import io.seatwatch.api.web.PageRequest;
import io.seatwatch.api.web.Problem;
import io.seatwatch.webhooks.WebhookSecretCipher;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** Students' subscriptions to promotion notifications: every change is one Lua script. */
@Service
public class SubscriptionService {

    /**
     * How long a secret replaced by a rotation keeps signing, so receivers can switch to the new one without
     * rejecting deliveries meanwhile (docs/subscriptions.md, "Signing secrets").
     */
    static final Duration PREVIOUS_SECRET_VALIDITY = Duration.ofHours(24);
    /** Confirmation tokens: base64url of 32 random bytes. */
    static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final SecureRandom random = new SecureRandom();
    private final RedisKeys keys;
    private final SeatwatchProperties properties;
    private final WebhookSecretCipher cipher;
    private final SubscriptionConfig.ConfirmationLinks links;
    private final LuaScripts.Script putSubscription;
    private final LuaScripts.Script listSubscriptions;
    private final LuaScripts.Script deleteSubscription;
    private final LuaScripts.Script rotateWebhookSecret;
    private final LuaScripts.Script confirmEmail;

    SubscriptionService(LuaScripts scripts, RedisKeys keys, SeatwatchProperties properties, WebhookSecretCipher cipher,
                        SubscriptionConfig.ConfirmationLinks links) {
        this.keys = keys;
        this.properties = properties;
        this.cipher = cipher;
        this.links = links;
        this.putSubscription = scripts.load("put-subscription");
        this.listSubscriptions = scripts.load("list-subscriptions");
        this.deleteSubscription = scripts.load("delete-subscription");
        this.rotateWebhookSecret = scripts.load("rotate-webhook-secret");
        this.confirmEmail = scripts.load("confirm-email");
    }

    /**
     * Creates or replaces the subscription; the request is already validated and the caller is the student.
     * A signing secret is prepared for every request with a webhook URL, but the script keeps it (and the
     * response shows it) only when the subscription had no webhook yet.
     */
    public Mono<PutResult> put(String studentId, String classId, String email, String webhookUrl, Caller caller,
                               String traceparent) {
        boolean claimMatches = email != null && caller.email() != null && email.equalsIgnoreCase(caller.email());
        String token = newToken();
        String secret = webhookUrl == null ? null : cipher.newSecret();
        String sealed = secret == null ? "" : cipher.encrypt(secret, studentId, classId);
        List<String> k = new ArrayList<>(keys.classKeySet(classId, caller.id()));
        k.add(keys.subscription(studentId, classId));
        k.add(keys.studentSubscriptions(studentId));
        k.add(keys.emailConfirmation(sha256Hex(token)));
        return putSubscription.run(k, classId, studentId, email, claimMatches ? "1" : "0", webhookUrl, sealed,
                        links.url(token), links.ttl().toMillis(), EventIds.nonce(), traceparent,
                        properties.rateLimit().scriptRate(), properties.rateLimit().burst())
                .map(SubscriptionService::orThrow)
                .map(reply -> new PutResult(reply.get("created").asBoolean(), new Subscription(classId,
                        reply.text("email"), reply.text("emailStatus"), reply.text("webhookUrl"), reply.text("webhookStatus"),
                        reply.get("secretCreated").asBoolean() ? secret : null)));
    }

    public Mono<Listing> list(String studentId, PageRequest page) {
        return listSubscriptions.run(List.of(keys.studentSubscriptions(studentId)), keys.prefix(), studentId,
                        page.position(), page.limit())
                .map(SubscriptionService::orThrow)
                .map(reply -> new Listing(ScriptReply.elements(reply.get("items")).stream()
                        .map(i -> new Subscription(i.path("classId").asString(), text(i, "email"), text(i, "emailStatus"),
                                text(i, "webhookUrl"), text(i, "webhookStatus"), null))
                        .toList(), reply.text("next")));
    }

    public Mono<Void> delete(String studentId, String classId, Caller caller) {
        return deleteSubscription.run(List.of(keys.subscription(studentId, classId), keys.studentSubscriptions(studentId),
                        keys.classSubscribers(classId), keys.rateLimit(caller.id())), classId, studentId,
                        properties.rateLimit().scriptRate(), properties.rateLimit().burst())
                .map(SubscriptionService::orThrow)
                .then();
    }

    public Mono<RotatedSecret> rotateSecret(String studentId, String classId, Caller caller) {
        String secret = cipher.newSecret();
        return rotateWebhookSecret.run(List.of(keys.subscription(studentId, classId), keys.rateLimit(caller.id())),
                        cipher.encrypt(secret, studentId, classId), PREVIOUS_SECRET_VALIDITY.toMillis(),
                        properties.rateLimit().scriptRate(), properties.rateLimit().burst())
                .map(SubscriptionService::orThrow)
                .map(reply -> new RotatedSecret(secret, ScriptReply.micros(reply.text("previousSecretValidUntil"))));
    }

    /** Consumes a one-time confirmation token; a token of the wrong shape is unknown without asking Redis. */
    public Mono<EmailConfirmation> confirm(String token) {
        if (!TOKEN.matcher(token).matches()) {
            return Mono.error(problem("confirmation-not-found"));
        }
        return confirmEmail.run(List.of(keys.emailConfirmation(sha256Hex(token))), keys.prefix(),
                        properties.rateLimit().scriptRate(), properties.rateLimit().burst())
                .map(SubscriptionService::orThrow)
                .map(reply -> new EmailConfirmation(reply.text("classId"), reply.text("email"), "ACTIVE"));
    }

    private String newToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode n = node.get(field);
        return n == null || n.isNull() ? null : n.asString();
    }

    /** This reply, or its error as a problem: the subscription codes here, the shared ones in {@link Problem}. */
    private static ScriptReply orThrow(ScriptReply reply) {
        if (reply.failed() && !reply.error().equals("class-not-found") && !reply.error().equals("rate-limited")) {
            throw problem(reply.error());
        }
        return reply.orThrow();
    }

    private static Problem problem(String code) {
        return switch (code) {
            case "subscription-not-found" -> Problem.notFound(code, "The student has no subscription to this class.");
            case "webhook-not-found" -> Problem.notFound(code, "This subscription has no webhook; PUT one with a webhookUrl first.");
            case "confirmation-not-found" -> Problem.notFound(code,
                    "This confirmation link is unknown, has expired or was already used.");
            case "confirmation-superseded" -> new Problem(HttpStatus.GONE, code, "Confirmation no longer applies",
                    "The subscription this link confirms was removed or now has another email address.");
            default -> throw new IllegalStateException("unexpected script error " + code);
        };
    }

    public record PutResult(boolean created, Subscription subscription) {}

    public record Listing(List<Subscription> items, String next) {}

    /** The answer to a rotation: the new secret, shown once, and until when the old one still signs. */
    public record RotatedSecret(String webhookSecret, Instant previousSecretValidUntil) {
        @Override
        public String toString() {
            return "RotatedSecret[webhookSecret=***, previousSecretValidUntil=" + previousSecretValidUntil + "]";
        }
    }

    public record EmailConfirmation(String classId, String email, String emailStatus) {}
}
