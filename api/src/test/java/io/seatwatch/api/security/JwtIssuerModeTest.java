package io.seatwatch.api.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.seatwatch.api.ApiTestSupport;
import io.seatwatch.api.ClosedAfterClass;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Production mode: keys from a JWK set URI (a real local HTTP server), and {@code iss} and {@code aud}
 * checked. The local HS256 secret is not configured at all.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        "seatwatch.redis.key-prefix=sw:v1:test:issuer:",
        "seatwatch.security.jwt.secret=",
        "seatwatch.webhooks.secret-key=" + ApiTestSupport.WEBHOOK_SECRET_KEY,
        "seatwatch.security.jwt.issuer-uri=https://login.example.edu/realms/seatwatch",
        "seatwatch.security.jwt.audience=seatwatch-api",
        "seatwatch.relay.enabled=false"})
@ClosedAfterClass
class JwtIssuerModeTest {

    private static final String ISSUER = "https://login.example.edu/realms/seatwatch";
    private static final RSAKey KEY = rsa("k1");
    private static final RSAKey OTHER_KEY = rsa("k2");
    private static final HttpServer JWKS = jwksServer();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void jwks(DynamicPropertyRegistry registry) {
        registry.add("seatwatch.security.jwt.jwk-set-uri",
                () -> "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/jwks");
    }

    @AfterAll
    static void stop() {
        JWKS.stop(0);
    }

    private WebTestClient.ResponseSpec ping(String token) {
        return WebTestClient.bindToServer().baseUrl("http://localhost:" + port + "/api/v1").build()
                .get().uri("/ping").header("Authorization", "Bearer " + token).exchange();
    }

    @Test
    void acceptsATokenFromTheIssuerForThisAudience() {
        ping(rs256(KEY, ISSUER, List.of("seatwatch-api"))).expectStatus().isOk().expectBody().jsonPath("$.ok").isEqualTo(true);
    }

    @Test
    void refusesAnotherAudienceOrNone() {
        ping(rs256(KEY, ISSUER, List.of("another-api"))).expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.type").isEqualTo("/problems/unauthorized");
        ping(rs256(KEY, ISSUER, List.of())).expectStatus().isUnauthorized();
    }

    @Test
    void refusesAnotherIssuer() {
        ping(rs256(KEY, "https://evil.example.com", List.of("seatwatch-api"))).expectStatus().isUnauthorized();
    }

    @Test
    void refusesAKeyNotInTheSet() {
        ping(rs256(OTHER_KEY, ISSUER, List.of("seatwatch-api"))).expectStatus().isUnauthorized();
    }

    @Test
    void refusesLocalHs256Tokens() {
        ping(ApiTestSupport.sign(ApiTestSupport.SECRET, "alice", List.of("student"), null,
                Instant.now().plus(Duration.ofHours(1)))).expectStatus().isUnauthorized();
    }

    private static String rs256(RSAKey key, String issuer, List<String> audience) {
        try {
            JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("alice").issuer(issuer).audience(audience)
                    .claim("roles", List.of("student")).issueTime(new Date())
                    .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1)))).build();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey rsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpServer jwksServer() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            byte[] body = new JWKSet(KEY.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            server.createContext("/jwks", exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
