package io.seatwatch.bench;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HS256 tokens as {@code ./seatwatch token} mints them (claims sub, roles, iat, exp, optionally a verified
 * email), so that each of the bench's thousands of students has a token of their own without a shell-out per
 * student. Valid for two hours: longer than any bench part.
 */
public final class Hs256Tokens {

    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final String HEADER = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");

    private final SecretKeySpec key;

    public Hs256Tokens(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** A token without email; {@code subject} and {@code role} are ids ([A-Za-z0-9_-]), so need no JSON escaping. */
    public String mint(String subject, String role) {
        return mint(subject, role, null);
    }

    /** With {@code email} (none when null), which the bench writes itself and so needs no JSON escaping either. */
    public String mint(String subject, String role, String email) {
        long now = Instant.now().getEpochSecond();
        String claims = "{\"sub\":\"" + subject + "\",\"roles\":[\"" + role + "\"],\"iat\":" + now
                + ",\"exp\":" + (now + 7200) + (email == null ? "" : ",\"email\":\"" + email + "\"") + "}";
        String signingInput = HEADER + "." + encode(claims);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return signingInput + "." + B64URL.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String json) {
        return B64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
