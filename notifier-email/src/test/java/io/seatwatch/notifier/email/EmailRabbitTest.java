package io.seatwatch.notifier.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import io.micrometer.core.instrument.MeterRegistry;
import io.seatwatch.testsupport.HttpDateFormat;
import io.seatwatch.testsupport.RabbitVhost;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Multipart;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The app as it ships, on the real RabbitMQ (a vhost of its own), the real Redis and GreenMail behind an
 * {@link SmtpGate} that the tests take down, or make answer 4xx / 5xx. Events are published exactly as the
 * api's relay publishes them. Retries are fast here: 4 attempts, 100 ms doubling up to 400 ms.
 */
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "seatwatch.redis.key-prefix=" + EmailRabbitTest.PREFIX,
        "spring.cloud.stream.bindings.email-in-0.consumer.max-attempts=4",
        "spring.cloud.stream.bindings.email-in-0.consumer.back-off-initial-interval=100",
        "spring.cloud.stream.bindings.email-in-0.consumer.back-off-multiplier=2",
        "spring.cloud.stream.bindings.email-in-0.consumer.back-off-max-interval=400",
        "spring.mail.properties.mail.smtp.connectiontimeout=1000",
        "spring.mail.properties.mail.smtp.timeout=2000",
        "spring.mail.properties.mail.smtp.writetimeout=2000"})
class EmailRabbitTest {

    static final String PREFIX = "sw:v1:test:email-rabbit:";
    static final String QUEUE = "seatwatch.events.email";
    static final String DLQ = "seatwatch.events.email.dlq";
    static final int MAX_ATTEMPTS = 4;

    @RegisterExtension
    static final GreenMailExtension GREEN = Mailboxes.greenMail();
    static final SmtpGate SMTP = new SmtpGate(() -> GREEN.getSmtp().getPort());
    @RegisterExtension
    static final RabbitVhost VHOST = RabbitVhost.forClass("seatwatch-test-email");
    static final RabbitTemplate RABBIT = new RabbitTemplate(VHOST.connectionFactory());
    static final RabbitAdmin ADMIN = new RabbitAdmin(VHOST.connectionFactory());
    static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        registry.add("spring.rabbitmq.virtual-host", VHOST::name);
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", SMTP::port);
    }

    @LocalServerPort
    int port;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    MeterRegistry meters;

    /** Closes the gate and drops the vhost when the context closes, after its bindings stopped. */
    @TestConfiguration
    static class CleanUpOnClose {
        @Bean
        DisposableBean dropVhostAndGate() {
            return () -> {
                SMTP.close();
                VHOST.close();
            };
        }
    }

    static final TestRedis KEYS = new TestRedis(PREFIX);

    @BeforeEach
    void reset() throws Exception {
        KEYS.before(redis);
        SMTP.forward();
        GREEN.purgeEmailFromAllMailboxes();
        ADMIN.purgeQueue(DLQ, false);
    }

    @AfterAll
    static void wipeKeys() {
        KEYS.after();
    }

    double count(String name, String... tags) {
        return TestRedis.count(meters, name, tags);
    }

    static MimeMessage[] mailsTo(String address) {
        return Mailboxes.to(GREEN, address);
    }

    static MimeMessage awaitOneMailTo(String address) {
        await().atMost(Duration.ofSeconds(20)).until(() -> mailsTo(address).length >= 1);
        MimeMessage[] mails = mailsTo(address);
        assertThat(mails).as("emails to " + address).hasSize(1);
        return mails[0];
    }

    static Message awaitDeadLetter() {
        Message[] received = new Message[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> (received[0] = RABBIT.receive(DLQ)) != null);
        return received[0];
    }

    JsonNode health(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health" + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    @Test
    void aPromotionPublishedLikeTheRelayIsMailedWithItsContentAndAcknowledged() throws Exception {
        String id = Events.newId();
        Events.publish(RABBIT, Events.EXCHANGE, Events.promotion(id, "alice", "alice@example.edu"));

        MimeMessage mail = awaitOneMailTo("alice@example.edu");
        assertThat(mail.getMessageID()).isEqualTo("<" + id + "@seatwatch>");
        assertThat(mail.getSubject()).isEqualTo("You are enrolled in CPSC 449-01: Back-end Engineering");
        assertThat(((InternetAddress) mail.getFrom()[0]).getAddress()).isEqualTo("no-reply@seatwatch.example");
        assertThat(mail.getRecipients(RecipientType.TO)).hasSize(1);
        assertThat(mail.getHeader("Auto-Submitted")).containsExactly("auto-generated");
        Multipart parts = (Multipart) mail.getContent();
        assertThat(parts.getContentType()).startsWith("multipart/alternative");
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).isMimeType("text/plain")).isTrue();
        assertThat(parts.getBodyPart(1).isMimeType("text/html")).isTrue();
        assertThat((String) parts.getBodyPart(0).getContent()).contains("Monday 2 March 2026, 17:05 UTC")
                .contains("an enrolled student dropped the class");

        String done = PREFIX + "email:done:" + id + ":alice@example.edu";
        await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.TRUE.equals(redis.hasKey(done)));
        assertThat(redis.getExpire(done, TimeUnit.HOURS)).isGreaterThan(24 * 6);
        await().atMost(Duration.ofSeconds(5)).until(() -> ADMIN.getQueueInfo(QUEUE).getMessageCount() == 0);
        assertThat(RABBIT.receive(DLQ)).isNull();
    }

    @Test
    void afterTheBrokerClosedItsConnectionsTheNextPromotionIsMailedWithinASecond() {
        Events.publish(RABBIT, Events.EXCHANGE, Events.promotion(Events.newId(), "warm", "warm@example.edu"));
        awaitOneMailTo("warm@example.edu");

        // A broker restart as the clients see it; the broker answers again at once.
        Connection own = VHOST.connectionFactory().createConnection();
        assertThat(VHOST.closeConnections("broker restart")).isPositive();
        // The test publishes on a new connection of its own, as the api's relay would.
        await().atMost(Duration.ofSeconds(5)).until(() -> !own.isOpen());
        Events.publish(RABBIT, Events.EXCHANGE, Events.promotion(Events.newId(), "prompt", "prompt@example.edu"));
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> mailsTo("prompt@example.edu").length == 1);
    }

    @Test
    void theSentLogLineCarriesTheTraceIdOfTheRequestThatCausedThePromotion(CapturedOutput output) {
        String id = Events.newId();
        Events.publish(RABBIT, Events.EXCHANGE, Events.promotion(id, "trace", "trace@example.edu"));

        String line = "Sent EnrollmentPromoted email <" + id + "@seatwatch>";
        await().atMost(Duration.ofSeconds(20)).until(() -> output.getOut().contains(line));
        String logged = output.getOut().lines().filter(l -> l.contains(line)).findFirst().orElseThrow();
        // Events.TRACEPARENT's trace id, continued from the message's traceparent header.
        assertThat(logged).contains("[4bf92f3577b34da6a3ce929d0e0e4736-");
    }

    @Test
    void aTitleCraftedToInjectHeadersReachesOnlyTheSubscriberAsOneSubjectLine() throws Exception {
        var event = Events.promotion(Events.newId(), "mallory", "mallory@example.edu");
        event.put("title", "Intro\r\nBcc: victim@evil.example\r\nContent-Type: text/html\r\n\r\n<img src=x onerror=alert(1)>");
        Events.publish(RABBIT, Events.EXCHANGE, event);

        MimeMessage mail = awaitOneMailTo("mallory@example.edu");
        assertThat(GREEN.getReceivedMessages()).as("no copy went to an injected Bcc").hasSize(1);
        assertThat(mail.getSubject()).doesNotContain("\n").doesNotContain("\r")
                .isEqualTo("You are enrolled in CPSC 449-01: Intro Bcc: victim@evil.example Content-Type: text/html <img src=x onerror=alert(1)>");
        assertThat(mail.getHeader("Bcc")).isNull();
        Multipart parts = (Multipart) mail.getContent();
        assertThat((String) parts.getBodyPart(1).getContent()).doesNotContain("<img").contains("&lt;img src=x onerror=alert(1)&gt;");
    }

    @Test
    void aConfirmationRequestIsMailed() throws Exception {
        String url = "https://seatwatch.example/api/v1/email-confirmations/dG9rZW4tMTIzNDU2Nzg5MA";
        Events.publish(RABBIT, Events.EXCHANGE, Events.confirmation(Events.newId(), "bob", "bob@elsewhere.example.org", url));
        MimeMessage mail = awaitOneMailTo("bob@elsewhere.example.org");
        assertThat(mail.getSubject()).isEqualTo("Confirm your email address for Seatwatch notifications");
        assertThat(GreenMailUtil.getBody(mail)).contains("dG9rZW4tMTIzNDU2Nzg5MA");
    }

    @Test
    void aConfirmationRequestWhoseLinkExpiredIsAcknowledgedAndNotMailed() throws Exception {
        var expired = Events.confirmation(Events.newId(), "late", "late@example.edu",
                "https://seatwatch.example/api/v1/email-confirmations/dG9rZW4tMTIzNDU2Nzg5MA");
        expired.put("expiresAt", "2026-03-03T17:05:09Z");
        var fresh = Events.promotion(Events.newId(), "late", "late@example.edu");
        Events.publish(RABBIT, Events.EXCHANGE, expired);
        Events.publish(RABBIT, Events.EXCHANGE, fresh);

        // The promotion published after it arrives alone: the expired link was consumed without a send.
        MimeMessage mail = awaitOneMailTo("late@example.edu");
        assertThat(mail.getSubject()).startsWith("You are enrolled");
        await().atMost(Duration.ofSeconds(5)).until(() -> count("seatwatch.email.skipped", "reason", "expired") >= 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> ADMIN.getQueueInfo(QUEUE).getMessageCount() == 0);
        assertThat(mailsTo("late@example.edu")).hasSize(1);
        assertThat(RABBIT.receive(DLQ)).isNull();
    }

    @Test
    void aPromotionWithoutAnEmailIsAcknowledgedAndNothingIsSent() {
        double skipped = count("seatwatch.email.skipped", "reason", "no-address");
        Events.publish(RABBIT, Events.EXCHANGE, Events.promotion(Events.newId(), "nomail", null));
        await().atMost(Duration.ofSeconds(10)).until(() -> count("seatwatch.email.skipped", "reason", "no-address") == skipped + 1);
        assertThat(GREEN.getReceivedMessages()).isEmpty();
        assertThat(RABBIT.receive(DLQ)).isNull();
    }

    @Test
    void aDuplicateDeliveryOfOneEventSendsOneEmail() throws Exception {
        String id = Events.newId();
        var event = Events.promotion(id, "carol", "carol@example.edu");
        double deduplicated = count("seatwatch.email.deduplicated", "type", Events.PROMOTED);
        Events.publish(RABBIT, Events.EXCHANGE, event);
        Events.publish(RABBIT, Events.EXCHANGE, event);

        await().atMost(Duration.ofSeconds(20))
                .until(() -> count("seatwatch.email.deduplicated", "type", Events.PROMOTED) == deduplicated + 1);
        assertThat(mailsTo("carol@example.edu")).hasSize(1);
        assertThat(mailsTo("carol@example.edu")[0].getMessageID()).isEqualTo("<" + id + "@seatwatch>");
    }

    @Test
    void whileTheSmtpServerIsDownTheEmailIsRetriedAndDeliveredOnceItIsBack() throws Exception {
        SMTP.down();
        double failed = count("seatwatch.email.failed", "type", Events.PROMOTED, "kind", "transient");
        String id = Events.newId();
        Events.publish(RABBIT, Events.EXCHANGE, Events.promotion(id, "dave", "dave@example.edu"));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> count("seatwatch.email.failed", "type", Events.PROMOTED, "kind", "transient") >= failed + 2);
        assertThat(GREEN.getReceivedMessages()).isEmpty();
        SMTP.forward();

        MimeMessage mail = awaitOneMailTo("dave@example.edu");
        assertThat(mail.getHeader("Message-ID")).containsExactly("<" + id + "@seatwatch>");
        assertThat(RABBIT.receive(DLQ)).isNull();
    }

    @Test
    void aTemporaryRefusalIsRetried() {
        SMTP.reject("451 4.3.0 mailbox temporarily unavailable");
        Events.publish(RABBIT, Events.EXCHANGE, Events.promotion(Events.newId(), "erin", "erin@example.edu"));
        await().atMost(Duration.ofSeconds(10)).until(() -> SMTP.rcptAttempts() >= 2);
        SMTP.forward();
        awaitOneMailTo("erin@example.edu");
        assertThat(RABBIT.receive(DLQ)).isNull();
    }

    @Test
    void anUnknownMailboxGoesToTheDeadLetterQueueAtOnceWithItsCause() {
        SMTP.reject("550 5.1.1 <frank@example.edu>: Recipient address rejected: User unknown");
        double deadLettered = count("seatwatch.email.dead.lettered");
        double permanent = count("seatwatch.email.failed", "type", Events.PROMOTED, "kind", "permanent");
        String id = Events.newId();
        Events.publish(RABBIT, Events.EXCHANGE, Events.promotion(id, "frank", "frank@example.edu"));

        Message dead = awaitDeadLetter();
        assertThat(SMTP.rcptAttempts()).as("RCPT attempts: no retry").isEqualTo(1);
        assertThat(count("seatwatch.email.failed", "type", Events.PROMOTED, "kind", "permanent")).isEqualTo(permanent + 1);
        assertThat(count("seatwatch.email.dead.lettered")).isEqualTo(deadLettered + 1);
        assertThat(dead.getMessageProperties().getMessageId()).isEqualTo(id);
        assertThat((String) dead.getMessageProperties().getHeader("eventType")).isEqualTo(Events.PROMOTED);
        assertThat((String) dead.getMessageProperties().getHeader("x-original-routingKey")).isEqualTo(Events.PROMOTED);
        String cause = dead.getMessageProperties().getHeader("x-exception-message") + " "
                + dead.getMessageProperties().getHeader("x-exception-stacktrace");
        assertThat(cause).contains("550 5.1.1").contains("User unknown").contains("PermanentEmailFailure");
        assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).contains(id);
        assertThat(redis.hasKey(PREFIX + "email:done:" + id + ":frank@example.edu")).isFalse();
        assertThat(redis.hasKey(PREFIX + "email:sending:" + id + ":frank@example.edu")).isFalse();
    }

    @Test
    void whenTheRetriesRunOutTheEmailGoesToTheDeadLetterQueueWithItsCause() {
        SMTP.down();
        double failed = count("seatwatch.email.failed", "type", Events.PROMOTED, "kind", "transient");
        String id = Events.newId();
        Events.publish(RABBIT, Events.EXCHANGE, Events.promotion(id, "gina", "gina@example.edu"));

        Message dead = awaitDeadLetter();
        assertThat(count("seatwatch.email.failed", "type", Events.PROMOTED, "kind", "transient")).isEqualTo(failed + MAX_ATTEMPTS);
        assertThat(dead.getMessageProperties().getMessageId()).isEqualTo(id);
        String stack = String.valueOf(dead.getMessageProperties().<Object>getHeader("x-exception-stacktrace"));
        assertThat(stack).contains("TransientEmailFailure").contains("Couldn't connect to host");
        assertThat(GREEN.getReceivedMessages()).isEmpty();
    }

    @Test
    void aMalformedEventGoesToTheDeadLetterQueueAtOnce() {
        String id = Events.newId();
        Events.publishRaw(RABBIT, Events.EXCHANGE, Events.PROMOTED, id, "{\"type\":\"EnrollmentPromoted\"".getBytes(StandardCharsets.UTF_8));
        Message dead = awaitDeadLetter();
        assertThat(String.valueOf(dead.getMessageProperties().<Object>getHeader("x-exception-stacktrace")))
                .contains("PermanentEmailFailure").contains("not JSON");
    }

    @Test
    void healthCoversMailRedisAndTheQuorumQueuesWhichExistWithTheirDeadLetterQueue() throws Exception {
        JsonNode health = health("");
        assertThat(health.path("status").asString()).isEqualTo("UP");
        assertThat(health.path("components").path("mail").path("status").asString()).isEqualTo("UP");
        assertThat(health.path("components").path("redis").path("status").asString()).isEqualTo("UP");
        assertThat(health.path("components").path("queues").path("status").asString()).isEqualTo("UP");
        assertThat(health.path("components").path("queues").path("details").path(QUEUE).asString()).contains("x-queue-type=quorum");
        assertThat(health("/readiness").path("status").asString()).isEqualTo("UP");
        assertThat(health("/liveness").path("status").asString()).isEqualTo("UP");
        assertThat(VHOST.queueTypes()).containsEntry(QUEUE, "quorum").containsEntry(DLQ, "quorum");

        SMTP.down();
        JsonNode mailDown = health("");
        assertThat(mailDown.path("components").path("mail").path("status").asString()).isEqualTo("DOWN");
        assertThat(health("/readiness").path("status").asString()).as("SMTP is not part of readiness").isEqualTo("UP");

        JsonNode dependencies = health("/dependencies");
        assertThat(dependencies.path("components").properties()).extracting(java.util.Map.Entry::getKey)
                .containsExactlyInAnyOrder("mail", "rabbit", "redis");
        assertThat(dependencies.path("components").path("mail").path("status").asString()).isEqualTo("DOWN");

        HttpResponse<String> prometheus = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.headers().firstValue("Date")).hasValueSatisfying(date -> assertThat(date)
                .matches(HttpDateFormat.IMF_FIXDATE));
        assertThat(prometheus.body()).contains("seatwatch_email_dead_lettered_total").contains("jvm_memory_used_bytes");

        assertThat(meters.find("seatwatch.email.sent").counters()).isNotEmpty();
        assertThat(meters.find("seatwatch.email.dead.lettered").counter()).isNotNull();
    }
}
