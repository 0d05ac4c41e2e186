package io.seatwatch.demo;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HS256 tokens as {@code ./seatwatch token} mints them: sub, roles, iat, exp and an optional email. */
final class Tokens {

    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private final byte[] secret;

    Tokens(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    String mint(String subject, List<String> roles, String email) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", subject);
        claims.put("roles", roles);
        claims.put("iat", now);
        claims.put("exp", now + 3600);
        if (email != null) {
            claims.put("email", email);
        }
        String signingInput = encode(Map.of("alg", "HS256", "typ", "JWT")) + "." + encode(claims);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return signingInput + "." + B64URL.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(Map<String, ?> json) {
        return B64URL.encodeToString(ApiClient.JSON.writeValueAsBytes(json));
    }
}
