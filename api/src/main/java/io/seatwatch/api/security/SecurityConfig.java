package io.seatwatch.api.security;

import io.seatwatch.api.web.Ids;
import io.seatwatch.api.web.Problem;
import io.seatwatch.api.web.ProblemHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher.MatchResult;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsConfigurationSource;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Every request under {@code /api/v1} needs a valid bearer token, except an email confirmation link (its
 * one-time token is the credential); the OpenAPI document and Swagger UI are public (GET only); any other
 * path is 401 without a token. What a caller may do is decided per
 * endpoint, in the order of docs/architecture.md, section "Order of checks" (after 400s), so it is not
 * configured here.
 */
@Configuration
@EnableWebFluxSecurity
public class SecurityConfig {

    /** HS256 keys shorter than this are refused at startup (RFC 7518 section 3.2). */
    static final int MIN_SECRET_BYTES = 32;

    /** The only path under /api/v1 that needs no bearer token (see subscription.EmailConfirmationController). */
    static final String EMAIL_CONFIRMATIONS = "/api/v1/email-confirmations/*";

    /**
     * What springdoc serves for the OpenAPI document (JSON, YAML, and the UI's swagger-config), readable by
     * anyone with GET while {@code springdoc.api-docs.enabled} is true (see web.openapi.OpenApiConfig).
     */
    static final String[] API_DOCS = {"/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.yaml"};

    /**
     * Swagger UI: springdoc 3 (WebFlux) redirects {@code /swagger-ui.html} to {@code /swagger-ui/index.html} and
     * serves the UI's files, its index and initializer under {@code /swagger-ui/}. The same webjar is also
     * reachable under {@code /webjars/swagger-ui/} through Spring Boot's generic webjars handler, which the
     * UI never uses, so that stays behind authentication.
     */
    static final String[] SWAGGER_UI = {"/swagger-ui.html", "/swagger-ui/**"};

    @Bean
    SecurityWebFilterChain apiSecurity(ServerHttpSecurity http, ProblemHandler problems, Environment environment,
                                       @Value("${seatwatch.cors.allowed-origins:}") List<String> allowedOrigins) {
        ServerAuthenticationEntryPoint unauthorized = (exchange, ex) -> {
            boolean tokenSent = exchange.getRequest().getHeaders().containsHeader("Authorization");
            exchange.getResponse().getHeaders().set("WWW-Authenticate",
                    tokenSent ? "Bearer error=\"invalid_token\"" : "Bearer");
            return problems.write(exchange, new Problem(HttpStatus.UNAUTHORIZED, "unauthorized",
                    "Authentication required", tokenSent ? "The bearer token is not valid." : "A bearer token is required."));
        };
        ServerAccessDeniedHandler denied = (exchange, ex) -> problems.write(exchange, Problem.forbidden("Not allowed."));
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
                .cors(cors -> cors.configurationSource(cors(allowedOrigins)))
                .authorizeExchange(ex -> {
                    ex.matchers(exchange -> onManagementPort(exchange, environment)).permitAll();
                    // Email confirmation links: the one-time token in the path is the credential.
                    ex.pathMatchers(EMAIL_CONFIRMATIONS).permitAll();
                    // The API's documentation is public unless switched off; then its paths are 401 like any other.
                    String[] documentation = publicDocumentation(environment);
                    if (documentation.length > 0) {
                        ex.pathMatchers(HttpMethod.GET, documentation).permitAll();
                    }
                    ex.anyExchange().authenticated();
                })
                .oauth2ResourceServer(rs -> rs
                        .jwt(jwt -> {})
                        .authenticationEntryPoint(unauthorized)
                        .accessDeniedHandler(denied))
                .exceptionHandling(eh -> eh.authenticationEntryPoint(unauthorized).accessDeniedHandler(denied))
                .build();
    }

    /** The springdoc paths that are switched on; none when both the document and the UI are off. */
    static String[] publicDocumentation(Environment environment) {
        List<String> paths = new ArrayList<>();
        boolean apiDocs = environment.getProperty("springdoc.api-docs.enabled", Boolean.class, true);
        if (apiDocs) {
            paths.addAll(List.of(API_DOCS));
        }
        // The UI is useless without the document it renders.
        if (apiDocs && environment.getProperty("springdoc.swagger-ui.enabled", Boolean.class, true)) {
            paths.addAll(List.of(SWAGGER_UI));
        }
        return paths.toArray(String[]::new);
    }

    /**
     * Browsers of the listed origins may call the API and read the validators; no origin is allowed unless
     * configured ({@code seatwatch.cors.allowed-origins}). Preflights are answered before authentication.
     */
    private static CorsConfigurationSource cors(List<String> allowedOrigins) {
        CorsConfiguration config = new CorsConfiguration();
        config.setAllowedOrigins(allowedOrigins.stream().map(String::trim).filter(o -> !o.isEmpty()).toList());
        config.setAllowedMethods(List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"));
        config.setAllowedHeaders(List.of("Authorization", "Content-Type", "If-Match", "If-None-Match",
                "If-Modified-Since", "traceparent", "Accept"));
        config.setExposedHeaders(List.of("ETag", "Last-Modified", "Location", "Retry-After"));
        config.setMaxAge(600L);
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/api/**", config);
        return source;
    }

    /**
     * Paths the firewall refuses (encoded slashes, dot segments, NUL, semicolons...) are answered as
     * problems too, and in the documented order: 401 without a valid token, 400 with one.
     */
    @Bean
    ServerExchangeRejectedHandler rejectedRequests(ProblemHandler problems, ReactiveJwtDecoder jwtDecoder) {
        return (exchange, rejection) -> {
            String authorization = exchange.getRequest().getHeaders().getFirst("Authorization");
            Mono<Boolean> authenticated = authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? Mono.just(false)
                    : jwtDecoder.decode(authorization.substring(7).trim()).map(jwt -> true).onErrorReturn(false);
            return authenticated.flatMap(ok -> {
                if (!ok) {
                    exchange.getResponse().getHeaders().set("WWW-Authenticate",
                            authorization == null ? "Bearer" : "Bearer error=\"invalid_token\"");
                    return problems.write(exchange, new Problem(HttpStatus.UNAUTHORIZED, "unauthorized",
                            "Authentication required", "A valid bearer token is required."));
                }
                return problems.write(exchange, new Problem(HttpStatus.BAD_REQUEST, "bad-request", "Bad request",
                        "The request path contains characters or segments that are not allowed."));
            });
        };
    }

    /**
     * Actuator lives only on the management port, which Services do not expose; probes and scrapers
     * reach it without a token.
     */
    private static Mono<MatchResult> onManagementPort(ServerWebExchange exchange, Environment environment) {
        Integer port = environment.getProperty("local.management.port", Integer.class);
        InetSocketAddress local = exchange.getRequest().getLocalAddress();
        boolean management = port != null && local != null && local.getPort() == port;
        return management ? MatchResult.match() : MatchResult.notMatch();
    }

    @Bean
    ReactiveJwtDecoder jwtDecoder(JwtProperties properties, Clock clock) {
        // exp and nbf are judged by the api's clock, the one its other dates come from.
        JwtTimestampValidator timestamps = new JwtTimestampValidator();
        timestamps.setClock(clock);
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        NimbusReactiveJwtDecoder decoder;
        if (properties.remote()) {
            decoder = JwtProperties.has(properties.jwkSetUri())
                    ? NimbusReactiveJwtDecoder.withJwkSetUri(properties.jwkSetUri()).build()
                    : NimbusReactiveJwtDecoder.withIssuerLocation(properties.issuerUri()).build();
            validators.add(JwtProperties.has(properties.issuerUri())
                    ? JwtValidators.createDefaultWithValidators(timestamps, new JwtIssuerValidator(properties.issuerUri()))
                    : JwtValidators.createDefaultWithValidators(timestamps));
            validators.add(new JwtClaimValidator<List<String>>("aud",
                    aud -> aud != null && aud.contains(properties.audience())));
        } else {
            byte[] secret = properties.secret() == null ? new byte[0]
                    : properties.secret().getBytes(StandardCharsets.UTF_8);
            if (secret.length < MIN_SECRET_BYTES) {
                throw new IllegalStateException("SEATWATCH_JWT_SECRET (seatwatch.security.jwt.secret) must be at least "
                        + MIN_SECRET_BYTES + " bytes; `./seatwatch token` creates one in .seatwatch/jwt-secret");
            }
            decoder = NimbusReactiveJwtDecoder.withSecretKey(new SecretKeySpec(secret, "HmacSHA256"))
                    .macAlgorithm(MacAlgorithm.HS256).build();
            validators.add(JwtValidators.createDefaultWithValidators(timestamps));
        }
        validators.add(SecurityConfig::subjectIsAnId);
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
        return decoder;
    }

    /** The subject becomes a student or instructor id, so it must have the id syntax. */
    private static OAuth2TokenValidatorResult subjectIsAnId(Jwt jwt) {
        return Ids.valid(jwt.getSubject()) ? OAuth2TokenValidatorResult.success()
                : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "sub must match " + Ids.REGEX, null));
    }
}
