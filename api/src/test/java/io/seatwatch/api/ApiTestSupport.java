package io.seatwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.test.web.reactive.server.WebTestClient;
import io.seatwatch.api.redis.RedisKeys;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Integration tests against the real Redis on 127.0.0.1:6379. Each subclass names its own key prefix
 * with {@code @TestPropertySource(properties = "seatwatch.redis.key-prefix=...")}, so test classes never
 * see each other's data; the prefix is wiped before and after the class.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        "seatwatch.security.jwt.secret=" + ApiTestSupport.SECRET,
        "seatwatch.webhooks.secret-key=" + ApiTestSupport.WEBHOOK_SECRET_KEY,
        "seatwatch.rate-limit.enabled=false",
        // These suites read the outbox themselves; relay tests switch the relay on.
        "seatwatch.relay.enabled=false"})
@ClosedAfterClass
public abstract class ApiTestSupport {

    public static final String SECRET = "test-secret-0123456789-0123456789-abcdef";
    public static final String OTHER_SECRET = "another-secret-0123456789-0123456789-xyz";
    /** AES-256 key for webhook signing secrets: base64 of the 32 bytes "seatwatch-test-webhook-key-32byt". */
    public static final String WEBHOOK_SECRET_KEY = "c2VhdHdhdGNoLXRlc3Qtd2ViaG9vay1rZXktMzJieXQ=";

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @LocalServerPort
    protected int port;

    @Autowired
    protected ReactiveStringRedisTemplate redis;

    @Autowired
    protected RedisKeys keys;

    @Autowired
    protected JsonMapper json;

    protected WebTestClient http;

    private static ReactiveStringRedisTemplate redisForCleanup;
    private static String prefixForCleanup;

    @BeforeEach
    void bindClient() {
        http = WebTestClient.bindToServer().baseUrl("http://localhost:" + port + "/api/v1")
                .responseTimeout(Duration.ofSeconds(30)).build();
        if (redisForCleanup == null) {
            redisForCleanup = redis;
            prefixForCleanup = keys.prefix();
            wipe(redis, keys.prefix());
        }
    }

    @BeforeAll
    static void resetCleanup() {
        redisForCleanup = null;
    }

    @AfterAll
    static void wipeAfter() {
        if (redisForCleanup != null) {
            wipe(redisForCleanup, prefixForCleanup);
        }
    }

    private static void wipe(ReactiveStringRedisTemplate redis, String prefix) {
        if (!prefix.contains("test")) {
            throw new IllegalStateException("refusing to wipe a non-test prefix " + prefix);
        }
        List<String> all = redis.scan(ScanOptions.scanOptions().match(prefix + "*").count(1000).build())
                .collectList().block();
        if (all != null && !all.isEmpty()) {
            redis.unlink(all.toArray(String[]::new)).block();
        }
    }

    /**
     * Starts another api in this JVM with these command-line arguments (they outrank application.yml). It
     * gets Reactor Netty resources of its own: with the global ones, closing it would dispose the event
     * loops the test's own servers run on.
     */
    public static ConfigurableApplicationContext startApi(String... args) {
        return new SpringApplicationBuilder(SeatwatchApiApplication.class)
                .registerShutdownHook(false)
                .initializers(context -> ((GenericApplicationContext) context).registerBean(
                        "isolatedReactorResourceFactory", ReactorResourceFactory.class, () -> {
                            ReactorResourceFactory resources = new ReactorResourceFactory();
                            resources.setUseGlobalResources(false);
                            return resources;
                        }))
                .run(args);
    }

    // ---- tokens ----

    protected static String token(String sub, String... roles) {
        return sign(SECRET, sub, List.of(roles), null, Instant.now().plus(Duration.ofHours(1)));
    }

    protected static String expiredToken(String sub, String... roles) {
        return sign(SECRET, sub, List.of(roles), null, Instant.now().minus(Duration.ofMinutes(10)));
    }

    protected static String foreignToken(String sub, String... roles) {
        return sign(OTHER_SECRET, sub, List.of(roles), null, Instant.now().plus(Duration.ofHours(1)));
    }

    public static String sign(String secret, String sub, List<String> roles, String email, Instant expires) {
        return sign(secret, sub, roles, email, Instant.now(), expires);
    }

    /** A token issued at {@code issued}: tests that pin the api's clock issue tokens at the pinned instant. */
    public static String sign(String secret, String sub, List<String> roles, String email, Instant issued,
                              Instant expires) {
        try {
            JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(sub).claim("roles", roles)
                    .issueTime(Date.from(issued)).expirationTime(Date.from(expires));
            if (email != null) {
                claims.claim("email", email);
            }
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    protected static String registrar() {
        return token("registrar1", "registrar");
    }

    protected static String student(String id) {
        return token(id, "student");
    }

    protected static String instructor(String id) {
        return token(id, "instructor");
    }

    /** A fresh id, unique within the JVM, for students and instructors. */
    protected static String newId(String kind) {
        return kind + "-" + SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // ---- API shortcuts ----

    protected JsonNode createClass(String instructorId, int capacity, int waitlistCapacity) {
        byte[] body = http.post().uri("/classes").header("Authorization", "Bearer " + registrar())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("department", "CPSC", "courseCode", newId("c"), "section", "01",
                        "title", "Back-end Engineering", "instructorId", instructorId,
                        "capacity", capacity, "waitlistCapacity", waitlistCapacity))
                .exchange().expectStatus().isCreated().expectBody().returnResult().getResponseBody();
        return json.readTree(body);
    }

    protected String createClassId(String instructorId, int capacity, int waitlistCapacity) {
        return createClass(instructorId, capacity, waitlistCapacity).path("id").asString();
    }

    protected WebTestClient.ResponseSpec enroll(String classId, String studentId) {
        return http.post().uri("/classes/{c}/enrollments", classId)
                .header("Authorization", "Bearer " + student(studentId))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("studentId", studentId))
                .exchange();
    }

    protected WebTestClient.ResponseSpec drop(String classId, String studentId, String bearer) {
        return http.delete().uri("/classes/{c}/enrollments/{s}", classId, studentId)
                .header("Authorization", "Bearer " + bearer).exchange();
    }

    protected JsonNode getJson(String uri, String bearer, Object... vars) {
        byte[] body = http.get().uri(uri, vars).header("Authorization", "Bearer " + bearer).exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBody();
        return json.readTree(body);
    }

    protected JsonNode patchClass(String classId, Map<String, Object> changes) {
        byte[] body = http.patch().uri("/classes/{c}", classId).header("Authorization", "Bearer " + registrar())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(changes)
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        return json.readTree(body);
    }

    /** Student ids in the order of a collection's items. */
    protected static List<String> studentIds(JsonNode page) {
        return page.path("items").valueStream().map(i -> i.path("studentId").asString()).toList();
    }

    // ---- Redis state ----

    protected List<MapRecord<String, Object, Object>> outbox() {
        return redis.opsForStream().range(keys.outbox(), org.springframework.data.domain.Range.unbounded())
                .collectList().block();
    }

    protected List<Map<Object, Object>> outboxFor(String classId) {
        return outbox().stream().map(MapRecord::getValue).filter(v -> classId.equals(v.get("classId"))).toList();
    }

    /** Every key under this test class's prefix with a dump of its value: equal snapshots = nothing written. */
    protected Map<String, String> snapshot() {
        Map<String, String> state = new TreeMap<>();
        List<String> all = redis.scan(ScanOptions.scanOptions().match(keys.prefix() + "*").count(1000).build())
                .collectList().block();
        if (!all.isEmpty()) {
            String script = "local out = {} for _, k in ipairs(KEYS) do out[k] = redis.sha1hex(redis.call('DUMP', k) or '') end "
                    + "return cjson.encode(out)";
            String reply = redis.execute(org.springframework.data.redis.core.script.RedisScript.of(script, String.class), all)
                    .next().block();
            json.readTree(reply).properties().forEach(e -> state.put(e.getKey(), e.getValue().asString()));
        }
        assertThat(state).isNotNull();
        return state;
    }
}
