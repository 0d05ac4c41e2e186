package io.seatwatch.notifier.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.seatwatch.testsupport.RabbitVhost;
import io.seatwatch.testsupport.TcpProxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The app started as it ships ({@link NotifierEmailApplication}, properties only), once or several times:
 * replicas sharing the group, rebinding by configuration, a queue the broker refuses to redeclare, and
 * stopping while an email is being sent. Real RabbitMQ (a vhost per test), Redis and GreenMail.
 */
class DeploymentTest {

    static final String PREFIX = "sw:v1:test:email-deployment:";

    @RegisterExtension
    static final GreenMailExtension GREEN = Mailboxes.greenMail();
    static final SmtpGate SMTP = new SmtpGate(() -> GREEN.getSmtp().getPort());
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final LettuceConnectionFactory REDIS_CONNECTIONS = new LettuceConnectionFactory("127.0.0.1", 6379);
    static final StringRedisTemplate REDIS;

    static {
        REDIS_CONNECTIONS.start();
        REDIS = new StringRedisTemplate(REDIS_CONNECTIONS);
    }

    final List<ConfigurableApplicationContext> apps = new ArrayList<>();
    final List<RabbitVhost> vhosts = new ArrayList<>();

    @BeforeEach
    void reset() throws Exception {
        SMTP.forward();
        GREEN.purgeEmailFromAllMailboxes();
    }

    @AfterEach
    void stopApps() {
        apps.forEach(ConfigurableApplicationContext::close);
        apps.clear();
        vhosts.forEach(RabbitVhost::close);
        vhosts.clear();
        TestRedis.wipe(REDIS, PREFIX);
    }

    @AfterAll
    static void closeGate() {
        SMTP.close();
        REDIS_CONNECTIONS.destroy();
    }

    RabbitVhost vhost(String name) {
        RabbitVhost vhost = RabbitVhost.create(name);
        vhosts.add(vhost);
        return vhost;
    }

    /** Starts the app with the shipped configuration plus {@code args} (command-line properties). */
    ConfigurableApplicationContext start(RabbitVhost vhost, String... args) {
        List<String> all = new ArrayList<>(List.of("--server.port=0", "--spring.main.banner-mode=off",
                "--spring.rabbitmq.virtual-host=" + vhost.name(), "--spring.mail.host=127.0.0.1",
                "--spring.mail.port=" + SMTP.port(), "--seatwatch.redis.key-prefix=" + PREFIX,
                "--spring.cloud.stream.bindings.email-in-0.consumer.back-off-initial-interval=100",
                "--spring.cloud.stream.bindings.email-in-0.consumer.back-off-max-interval=400"));
        all.addAll(List.of(args));
        ConfigurableApplicationContext app = new SpringApplicationBuilder(NotifierEmailApplication.class)
                .run(all.toArray(String[]::new));
        apps.add(app);
        return app;
    }

    static double sent(ConfigurableApplicationContext app) {
        return app.getBean(MeterRegistry.class).find("seatwatch.email.sent").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    static double deduplicated(ConfigurableApplicationContext app) {
        return app.getBean(MeterRegistry.class).find("seatwatch.email.deduplicated").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    static HttpResponse<String> get(ConfigurableApplicationContext app, String path) throws Exception {
        String port = app.getEnvironment().getProperty("local.server.port");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static List<String> messageIds() {
        return Mailboxes.messageIds(GREEN);
    }

    @Test
    void twoReplicasOnTheSameGroupSendOneEmailPerEventAndSkipRedeliveries() {
        RabbitVhost vhost = vhost("seatwatch-test-email-replicas");
        ConfigurableApplicationContext a = start(vhost);
        ConfigurableApplicationContext b = start(vhost);
        RabbitTemplate rabbit = new RabbitTemplate(vhost.connectionFactory());
        List<Map<String, Object>> events = IntStream.range(0, 200)
                .mapToObj(i -> Events.promotion(Events.newId(), "s" + i, "student" + i + "@example.edu")).toList();

        events.forEach(e -> Events.publish(rabbit, Events.EXCHANGE, e));
        // The relay delivers at least once: some events arrive again.
        events.subList(0, 30).forEach(e -> Events.publish(rabbit, Events.EXCHANGE, e));

        await().atMost(Duration.ofSeconds(60)).until(() -> deduplicated(a) + deduplicated(b) == 30
                && GREEN.getReceivedMessages().length >= 200);
        List<String> ids = messageIds();
        assertThat(ids).hasSize(200).doesNotHaveDuplicates();
        assertThat(ids).containsExactlyInAnyOrderElementsOf(events.stream().map(e -> "<" + e.get("eventId") + "@seatwatch>").toList());
        assertThat(sent(a) + sent(b)).isEqualTo(200);
        assertThat(sent(a)).as("both replicas took part").isPositive();
        assertThat(sent(b)).as("both replicas took part").isPositive();
    }

    @Test
    void afterTheBrokerDiedAndCameBackTheNextPromotionIsMailedWithinASecond() throws Exception {
        RabbitVhost vhost = vhost("seatwatch-test-email-restart");
        try (TcpProxy broker = new TcpProxy(5672)) {
            // One consumer, so that one failed attempt below means the whole app is waiting to try again.
            ConfigurableApplicationContext app = start(vhost, "--spring.rabbitmq.port=" + broker.port(),
                    "--spring.cloud.stream.bindings.email-in-0.consumer.concurrency=1");
            RabbitTemplate rabbit = new RabbitTemplate(vhost.connectionFactory());
            Events.publish(rabbit, Events.EXCHANGE, Events.promotion(Events.newId(), "warm", "warm@example.edu"));
            await().atMost(Duration.ofSeconds(20)).until(() -> sent(app) == 1);

            // The broker dies: the app's connection drops, and its consumers try to come back and fail.
            broker.cut();
            await().atMost(Duration.ofSeconds(20)).until(() -> broker.attemptsWhileCut() >= 1);
            broker.restore();
            // Published straight to the broker (not through the app's path): it waits in the queue for the consumer.
            Events.publish(rabbit, Events.EXCHANGE, Events.promotion(Events.newId(), "prompt", "prompt@example.edu"));
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() -> sent(app) == 2);
        }
    }

    @Test
    void theSameAppConsumesAnotherDestinationOnAnotherVhostByConfigurationAlone() {
        RabbitVhost vhost = vhost("seatwatch-test-email-rebound");
        start(vhost, "--spring.cloud.stream.bindings.email-in-0.destination=campus.notifications",
                "--spring.cloud.stream.bindings.email-in-0.group=mailer");
        RabbitTemplate rabbit = new RabbitTemplate(vhost.connectionFactory());
        String id = Events.newId();

        Events.publish(rabbit, "campus.notifications", Events.promotion(id, "rita", "rita@example.edu"));

        await().atMost(Duration.ofSeconds(20)).until(() -> GREEN.getReceivedMessages().length == 1);
        assertThat(messageIds()).containsExactly("<" + id + "@seatwatch>");
        assertThat(vhost.queueTypes()).containsOnly(Map.entry("campus.notifications.mailer", "quorum"),
                Map.entry("campus.notifications.mailer.dlq", "quorum"));
    }

    @Test
    void aQueueDeclarationTheBrokerRefusesMakesTheAppUnready() throws Exception {
        RabbitVhost vhost = vhost("seatwatch-test-email-clash");
        // An older deployment left a classic queue with the same name.
        new RabbitAdmin(vhost.connectionFactory()).declareQueue(new Queue("seatwatch.events.email", true, false, false));
        ConfigurableApplicationContext app = start(vhost);

        HttpResponse<String> readiness = get(app, "/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(503);
        JsonNode health = JSON.readTree(get(app, "/actuator/health").body());
        JsonNode queues = health.path("components").path("queues");
        assertThat(queues.path("status").asString()).isEqualTo("DOWN");
        assertThat(queues.path("details").path("seatwatch.events.email").asString())
                .contains("PRECONDITION_FAILED").contains("inequivalent arg");
        assertThat(get(app, "/actuator/health/liveness").statusCode()).isEqualTo(200);
    }

    @Test
    void stoppingTheAppFinishesTheEmailInProgress() {
        RabbitVhost vhost = vhost("seatwatch-test-email-stop");
        ConfigurableApplicationContext app = start(vhost, "--spring.mail.properties.mail.smtp.timeout=5000");
        RabbitTemplate rabbit = new RabbitTemplate(vhost.connectionFactory());
        SMTP.forward(1500); // a slow mail server: each connection waits 1.5 s before the greeting
        String id = Events.newId();

        Events.publish(rabbit, Events.EXCHANGE, Events.promotion(id, "sam", "sam@example.edu"));
        await().atMost(Duration.ofSeconds(10)).until(() -> SMTP.connections() >= 1);
        app.close(); // while the email is being sent

        assertThat(messageIds()).containsExactly("<" + id + "@seatwatch>");
        RabbitAdmin admin = new RabbitAdmin(vhost.connectionFactory());
        assertThat(admin.getQueueInfo("seatwatch.events.email").getMessageCount()).as("acknowledged, not left").isZero();
        assertThat(admin.getQueueInfo("seatwatch.events.email.dlq").getMessageCount()).isZero();
    }

    @Test
    void anEmailStillInProgressWhenTheShutdownTimeoutEndsIsRedeliveredNotLost() {
        RabbitVhost vhost = vhost("seatwatch-test-email-stop-late");
        ConfigurableApplicationContext first = start(vhost, "--seatwatch.email.shutdown-timeout=200ms",
                "--seatwatch.email.dedupe.lease-ttl=3s", "--spring.mail.properties.mail.smtp.timeout=5000");
        RabbitTemplate rabbit = new RabbitTemplate(vhost.connectionFactory());
        RabbitAdmin admin = new RabbitAdmin(vhost.connectionFactory());
        SMTP.forward(2000);
        String id = Events.newId();

        Events.publish(rabbit, Events.EXCHANGE, Events.promotion(id, "tom", "tom@example.edu"));
        await().atMost(Duration.ofSeconds(10)).until(() -> SMTP.connections() >= 1);
        first.close(); // gives the email 200 ms, then lets its message go back to the queue

        assertThat(admin.getQueueInfo("seatwatch.events.email").getMessageCount()).as("back in the queue").isEqualTo(1);
        SMTP.forward();
        start(vhost, "--seatwatch.email.dedupe.lease-ttl=3s");
        await().atMost(Duration.ofSeconds(20)).until(() -> admin.getQueueInfo("seatwatch.events.email").getMessageCount() == 0
                && GREEN.getReceivedMessages().length >= 1);
        // Sent by the replica that took over (or by the stopped one finishing late): always the same Message-ID.
        assertThat(messageIds()).isNotEmpty().containsOnly("<" + id + "@seatwatch>");
        assertThat(admin.getQueueInfo("seatwatch.events.email.dlq").getMessageCount()).isZero();
    }
}
