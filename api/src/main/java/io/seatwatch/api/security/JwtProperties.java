package io.seatwatch.api.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How bearer tokens are verified. Locally: HS256 with {@code secret} (from SEATWATCH_JWT_SECRET, at
 * least 32 bytes). In production: {@code issuerUri} or {@code jwkSetUri}, and then {@code iss} and
 * {@code aud} are checked too.
 */
@ConfigurationProperties("seatwatch.security.jwt")
public record JwtProperties(
        String secret,
        String issuerUri,
        String jwkSetUri,
        @DefaultValue("seatwatch") String audience) {

    public boolean remote() {
        return has(issuerUri) || has(jwkSetUri);
    }

    static boolean has(String s) {
        return s != null && !s.isBlank();
    }
}
