package io.seatwatch.notifier.webhook.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,} + base64 of HMAC-SHA256 over {@code id.timestamp.body} with
 * the secret's key (the base64 after {@code whsec_}). The body is the exact bytes sent. Several secrets
 * (during a rotation) give several signatures, space-separated.
 */
public final class WebhookSigner {

    private static final String SECRET_PREFIX = "whsec_";

    private WebhookSigner() {}

    /**
     * @throws IllegalArgumentException when a secret is not {@code whsec_} + base64 (the message never contains it)
     */
    public static String signatures(List<String> secrets, String id, long timestamp, byte[] body) {
        return secrets.stream().map(secret -> "v1," + sign(secret, id, timestamp, body)).collect(Collectors.joining(" "));
    }

    private static String sign(String secret, String id, long timestamp, byte[] body) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the signing secret is not whsec_ + base64");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
