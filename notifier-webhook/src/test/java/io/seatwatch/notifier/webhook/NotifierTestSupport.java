package io.seatwatch.notifier.webhook;

import io.netty.resolver.HostsFileEntriesResolver;
import io.seatwatch.testsupport.RabbitVhost;
import io.seatwatch.webhooks.DeliveryKeys;
import io.seatwatch.webhooks.WebhookSecretCipher;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Integration tests of the notifier on the real Redis (a key prefix per test class, given with
 * {@code @TestPropertySource} and wiped before and after the class), a RabbitMQ vhost per test class (named after
 * that prefix, made before the context starts and deleted when it stops) and a real local receiver. The
 * schedule is fast: attempts 100 ms and 200 ms apart. The resolver's hosts file knows two test names.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "seatwatch.webhooks.secret-key=" + NotifierTestSupport.KEY,
        "seatwatch.webhooks.allow-http=true",
        "seatwatch.webhooks.allowed-cidrs=127.0.0.1/32",
        "seatwatch.webhooks.retry-schedule=100ms,200ms",
        "seatwatch.webhooks.attempt-timeout=1s",
        "seatwatch.webhooks.body-timeout=500ms",
        "seatwatch.webhooks.connect-timeout=500ms",
        "seatwatch.webhooks.lease-ttl=3s",
        "seatwatch.webhooks.poll-interval=50ms",
        "seatwatch.webhooks.user-agent-version=9.9.9-test"})
@ContextConfiguration(initializers = NotifierTestSupport.Vhost.class)
@ExtendWith(RabbitVhost.Required.class)
@Import(NotifierTestSupport.TestHosts.class)
@DirtiesContext
public abstract class NotifierTestSupport {

    /** Base64 of the 32 bytes "seatwatch-test-webhook-key-32byt" (the api's tests use the same). */
    public static final String KEY = "c2VhdHdhdGNoLXRlc3Qtd2ViaG9vay1rZXktMzJieXQ=";
    public static final String EXCHANGE = "seatwatch.events";
    public static final String DLQ = "seatwatch.events.webhook.dlq";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @Autowired
    protected ReactiveStringRedisTemplate redis;

    @Autowired
    protected DeliveryKeys keys;

    @Autowired
    protected JsonMapper json;

    @Autowired
    protected WebhookSecretCipher cipher;

    protected Receiver receiver;

    @BeforeAll
    static void wipeBefore(@Autowired ReactiveStringRedisTemplate redis, @Autowired DeliveryKeys keys) {
        wipe(redis, keys.prefix());
    }

    @AfterAll
    static void wipeAfter(@Autowired ReactiveStringRedisTemplate redis, @Autowired DeliveryKeys keys) {
        wipe(redis, keys.prefix());
    }

    @BeforeEach
    void startReceiver() {
        receiver = new Receiver();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    public static void wipe(ReactiveStringRedisTemplate redis, String prefix) {
        if (!prefix.contains(":test:")) {
            throw new IllegalStateException("refusing to wipe a non-test prefix " + prefix);
        }
        redis.scan(ScanOptions.scanOptions().match(prefix + "*").count(1000).build()).buffer(500)
                .concatMap(batch -> redis.unlink(batch.toArray(String[]::new))).blockLast();
    }

    /** This test class's vhost. */
    protected TestBroker broker() {
        return Vhost.BY_PREFIX.get(keys.prefix());
    }

    /** A vhost for the context, named after its key prefix: made before it starts, deleted after its bindings stop. */
    static class Vhost implements ApplicationContextInitializer<ConfigurableApplicationContext> {

        static final Map<String, TestBroker> BY_PREFIX = new ConcurrentHashMap<>();

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            String prefix = context.getEnvironment().getRequiredProperty("seatwatch.redis.key-prefix");
            TestBroker broker = TestBroker.vhost("seatwatch-" + prefix.replaceAll("[^A-Za-z0-9-]+", "-"));
            BY_PREFIX.put(prefix, broker);
            TestPropertyValues.of("spring.rabbitmq.virtual-host=" + broker.name()).applyTo(context);
            context.getBeanFactory().registerSingleton("testVhost", new SmartLifecycle() {
                private volatile boolean running;

                @Override
                public void start() {
                    running = true;
                }

                @Override
                public void stop() {
                    running = false;
                    broker.close();
                }

                @Override
                public boolean isRunning() {
                    return running;
                }

                @Override
                public int getPhase() {
                    return Integer.MIN_VALUE;
                }
            });
        }
    }

    /**
     * The resolver's hosts file in these tests: {@code hooks.seatwatch.test} leads to the local receiver and
     * {@code internal.seatwatch.test} to a private address (what a rebinding DNS server would answer).
     */
    @TestConfiguration
    static class TestHosts {
        @Bean
        HostsFileEntriesResolver testHosts() {
            Map<String, String> names = Map.of("hooks.seatwatch.test", "127.0.0.1", "internal.seatwatch.test", "10.1.2.3");
            return (host, types) -> {
                try {
                    return names.containsKey(host) ? InetAddress.getByName(names.get(host)) : null;
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            };
        }
    }

    protected static String newId(String kind) {
        return kind + "-" + SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Writes a subscription with a webhook as the api's put-subscription does; returns the plain secret. */
    protected String subscribe(String studentId, String classId, String url) {
        String secret = cipher.newSecret();
        redis.opsForHash().putAll(keys.subscription(studentId, classId), Map.of("studentId", studentId, "classId", classId,
                "webhookUrl", url, "webhookStatus", "ACTIVE", "webhookSecret", cipher.encrypt(secret, studentId, classId),
                "createdAt", "1", "updatedAt", "1")).block();
        return secret;
    }

    protected Map<Object, Object> subscription(String studentId, String classId) {
        return redis.opsForHash().entries(keys.subscription(studentId, classId))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue).block();
    }

    /** An EnrollmentPromoted event as docs/events describes it. */
    protected static Map<String, Object> event(String studentId, String classId, String webhookUrl) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", "EnrollmentPromoted");
        e.put("eventId", UUID.randomUUID().toString());
        e.put("sequence", 7);
        e.put("occurredAt", Instant.now().toString());
        e.put("classId", classId);
        e.put("department", "CPSC");
        e.put("courseCode", "449");
        e.put("section", "01");
        e.put("title", "Back-end Engineering");
        e.put("studentId", studentId);
        e.put("cause", "STUDENT_DROP");
        e.put("email", studentId + "@uni.example.edu");
        if (webhookUrl != null) {
            e.put("webhookUrl", webhookUrl);
        }
        e.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        return e;
    }

    protected void publish(Map<String, Object> event) {
        broker().publish(EXCHANGE, (String) event.get("type"), (String) event.get("eventId"), json.writeValueAsBytes(event));
    }

    /** A subscribed student, a promotion event for them, published; returns the event. */
    protected Promoted promote(String url) {
        String studentId = newId("s");
        String classId = newId("c");
        String secret = subscribe(studentId, classId, url);
        Map<String, Object> event = event(studentId, classId, url);
        publish(event);
        return new Promoted((String) event.get("eventId"), studentId, classId, secret, event);
    }

    protected record Promoted(String eventId, String studentId, String classId, String secret, Map<String, Object> event) {}

    protected Map<Object, Object> delivery(String eventId) {
        return redis.opsForHash().entries(keys.delivery(eventId)).collectMap(Map.Entry::getKey, Map.Entry::getValue).block();
    }

    protected String status(String eventId) {
        return (String) redis.opsForHash().get(keys.delivery(eventId), "status").block();
    }

    protected List<JsonNode> attempts(String eventId) {
        List<JsonNode> out = new ArrayList<>();
        redis.opsForList().range(keys.attempts(eventId), 0, -1).map(s -> (JsonNode) json.readTree(s)).toIterable()
                .forEach(out::add);
        return out;
    }

    protected boolean isDue(String eventId) {
        return redis.opsForZSet().score(keys.due(), eventId).blockOptional().isPresent();
    }

    protected static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
