package io.seatwatch.notifier.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.StreamProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.angus.mail.util.MailStreamProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.binder.test.EnableTestBinder;
import org.springframework.cloud.stream.binder.test.InputDestination;
import org.springframework.cloud.stream.config.BindingServiceProperties;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The {@code email} function on the Spring Cloud Stream test binder (no broker), with the real Redis
 * and GreenMail: what is sent, what is skipped, and the lease + done marker. The binder's retries are off
 * here; {@link EmailRabbitTest} covers them on RabbitMQ.
 */
@EnableTestBinder
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "seatwatch.redis.key-prefix=" + EmailFunctionTest.PREFIX,
        "seatwatch.email.dedupe.lease-ttl=1500ms",
        "seatwatch.email.dedupe.lease-poll=50ms",
        "spring.cloud.stream.bindings.email-in-0.consumer.max-attempts=1"})
class EmailFunctionTest {

    static final String PREFIX = "sw:v1:test:email-function:";
    static final String DESTINATION = "seatwatch.events";

    @RegisterExtension
    static final GreenMailExtension GREEN = Mailboxes.greenMail();

    @DynamicPropertySource
    static void smtp(DynamicPropertyRegistry registry) {
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> GREEN.getSmtp().getPort());
    }

    @Autowired
    InputDestination input;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    MeterRegistry meters;

    @Autowired
    BindingServiceProperties bindings;

    @Autowired
    JavaMailSender mailSender;

    static final TestRedis KEYS = new TestRedis(PREFIX);

    @BeforeEach
    void reset() throws Exception {
        KEYS.before(redis);
        GREEN.purgeEmailFromAllMailboxes();
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

    @Test
    void jakartaMailFindsItsStreamProviderByNameNotByScanningTheClassPath() {
        assertThat(System.getProperty(StreamProvider.class.getName())).isEqualTo(MailStreamProvider.class.getName());
        assertThat(StreamProvider.provider()).isInstanceOf(MailStreamProvider.class);
    }

    @Test
    void theFunctionGetsTheRawBytesWithoutAConversionAttempt() {
        assertThat(bindings.getBindingProperties("email-in-0").getConsumer().isUseNativeDecoding()).isTrue();
    }

    @Test
    void everySmtpConnectionTimesItsWritesOnOneSharedExecutorThatOutlivesIt() {
        Object executor = ((JavaMailSenderImpl) mailSender).getJavaMailProperties().get(EmailSender.WRITE_TIMEOUT_EXECUTOR);
        assertThat(executor).isInstanceOf(ScheduledExecutorService.class);

        input.send(Events.message(Events.promotion(Events.newId(), "erin", "erin@example.edu")), DESTINATION);
        assertThat(mailsTo("erin@example.edu")).hasSize(1);
        // Angus Mail shuts down the executors it starts itself when the connection closes, never one it was given.
        assertThat(((ScheduledExecutorService) executor).isShutdown()).isFalse();
        assertThat(((JavaMailSenderImpl) mailSender).getSession().getProperties().get(EmailSender.WRITE_TIMEOUT_EXECUTOR))
                .isSameAs(executor);
    }

    @Test
    void theConnectionThatCarriedAnEmailStaysOpenForTheNext() {
        input.send(Events.message(Events.promotion(Events.newId(), "gail", "gail@example.edu")), DESTINATION);
        input.send(Events.message(Events.promotion(Events.newId(), "hank", "hank@example.edu")), DESTINATION);

        assertThat(mailsTo("gail@example.edu")).hasSize(1);
        assertThat(mailsTo("hank@example.edu")).hasSize(1);
        assertThat(meters.get("seatwatch.email.smtp.connections").tag("state", "idle").gauge().value()).isEqualTo(1.0);
        assertThat(meters.get("seatwatch.email.smtp.connections").tag("state", "active").gauge().value()).isZero();
    }

    @Test
    void aPromotionWithAnEmailIsMailedOnceAndMarkedDone() throws Exception {
        String id = Events.newId();
        input.send(Events.message(Events.promotion(id, "alice", "alice@example.edu")), DESTINATION);

        MimeMessage[] mails = mailsTo("alice@example.edu");
        assertThat(mails).hasSize(1);
        assertThat(mails[0].getMessageID()).isEqualTo("<" + id + "@seatwatch>");
        assertThat(mails[0].getSubject()).isEqualTo("You are enrolled in CPSC 449-01: Back-end Engineering");
        String done = PREFIX + "email:done:" + id + ":alice@example.edu";
        assertThat(redis.hasKey(done)).isTrue();
        assertThat(redis.getExpire(done, TimeUnit.DAYS)).isBetween(6L, 7L);
        assertThat(redis.hasKey(PREFIX + "email:sending:" + id + ":alice@example.edu")).isFalse();
    }

    @Test
    void aPromotionWithoutAnEmailIsAcknowledgedAndNothingIsSent() {
        double skipped = count("seatwatch.email.skipped", "reason", "no-address");
        input.send(Events.message(Events.promotion(Events.newId(), "nomail", null)), DESTINATION);
        assertThat(count("seatwatch.email.skipped", "reason", "no-address")).isEqualTo(skipped + 1);
        assertThat(GREEN.getReceivedMessages()).isEmpty();
    }

    @Test
    void anEventOfAnotherTypeIsAcknowledgedAndNothingIsSent() {
        double skipped = count("seatwatch.email.skipped", "reason", "other-type");
        input.send(MessageBuilder.withPayload("{\"type\":\"ClassCreated\",\"eventId\":\"x\"}".getBytes(StandardCharsets.UTF_8))
                .setHeader("eventType", "ClassCreated").build(), DESTINATION);
        assertThat(count("seatwatch.email.skipped", "reason", "other-type")).isEqualTo(skipped + 1);
        assertThat(GREEN.getReceivedMessages()).isEmpty();
    }

    @Test
    void aDuplicateDeliveryIsSkipped() {
        String id = Events.newId();
        double deduplicated = count("seatwatch.email.deduplicated", "type", Events.PROMOTED);
        var event = Events.promotion(id, "bob", "bob@example.edu");
        input.send(Events.message(event), DESTINATION);
        input.send(Events.message(event), DESTINATION);
        input.send(Events.message(event), DESTINATION);

        assertThat(mailsTo("bob@example.edu")).hasSize(1);
        assertThat(count("seatwatch.email.deduplicated", "type", Events.PROMOTED)).isEqualTo(deduplicated + 2);
    }

    @Test
    void aCrashAfterClaimingDoesNotLoseTheEmailItIsSentOnceWhenTheLeaseExpires() throws Exception {
        String id = Events.newId();
        String lease = PREFIX + "email:sending:" + id + ":carol@example.edu";
        // A replica claimed this email and died before sending: its lease is still there.
        redis.opsForValue().set(lease, "dead-replica:token", Duration.ofMillis(1200));
        Instant leaseEnds = Instant.now().plusMillis(1200);
        double takeovers = count("seatwatch.email.lease.takeovers");

        input.send(Events.message(Events.promotion(id, "carol", "carol@example.edu")), DESTINATION);

        MimeMessage[] mails = mailsTo("carol@example.edu");
        assertThat(mails).hasSize(1);
        assertThat(mails[0].getMessageID()).isEqualTo("<" + id + "@seatwatch>");
        assertThat(Instant.now()).isAfterOrEqualTo(leaseEnds.minusMillis(50));
        assertThat(count("seatwatch.email.lease.takeovers")).isEqualTo(takeovers + 1);
        assertThat(redis.hasKey(PREFIX + "email:done:" + id + ":carol@example.edu")).isTrue();
    }

    @Test
    void aDeliveryThatFindsAnotherSenderAtWorkWaitsAndSkipsOnceThatSenderIsDone() {
        String id = Events.newId();
        String lease = PREFIX + "email:sending:" + id + ":dave@example.edu";
        String done = PREFIX + "email:done:" + id + ":dave@example.edu";
        redis.opsForValue().set(lease, "other-replica:token", Duration.ofSeconds(30));
        double deduplicated = count("seatwatch.email.deduplicated", "type", Events.PROMOTED);

        CompletableFuture<Void> delivery = CompletableFuture.runAsync(() ->
                input.send(Events.message(Events.promotion(id, "dave", "dave@example.edu")), DESTINATION));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !delivery.isDone());
        // The other replica finishes: its done marker, then its lease goes.
        redis.opsForValue().set(done, "other-replica:token", Duration.ofDays(7));
        redis.delete(lease);

        await().atMost(Duration.ofSeconds(5)).until(delivery::isDone);
        assertThat(delivery).isCompleted();
        assertThat(count("seatwatch.email.deduplicated", "type", Events.PROMOTED)).isEqualTo(deduplicated + 1);
        assertThat(mailsTo("dave@example.edu")).isEmpty();
    }

    @Test
    void aConfirmationEventMailsTheLink() throws Exception {
        String url = "http://localhost:8080/api/v1/email-confirmations/Zm9vYmFyYmF6cXV4";
        input.send(Events.message(Events.confirmation(Events.newId(), "erin", "erin@elsewhere.example.org", url)), DESTINATION);
        MimeMessage[] mails = mailsTo("erin@elsewhere.example.org");
        assertThat(mails).hasSize(1);
        assertThat(mails[0].getSubject()).isEqualTo("Confirm your email address for Seatwatch notifications");
        assertThat(com.icegreen.greenmail.util.GreenMailUtil.getBody(mails[0])).contains("email-confirmations/Zm9vYmFyYmF6cXV4");
    }

    @Test
    void aMalformedEventFailsPermanentlyAndIsHandedToTheErrorChannel() {
        double deadLettered = count("seatwatch.email.dead.lettered");
        double permanent = count("seatwatch.email.failed", "type", Events.PROMOTED, "kind", "permanent");
        input.send(MessageBuilder.withPayload("not json".getBytes(StandardCharsets.UTF_8))
                .setHeader("eventType", Events.PROMOTED).setHeader("eventId", Events.newId()).build(), DESTINATION);
        assertThat(count("seatwatch.email.dead.lettered")).isEqualTo(deadLettered + 1);
        // Nothing was attempted: the event could not even be read.
        assertThat(count("seatwatch.email.failed", "type", Events.PROMOTED, "kind", "permanent")).isEqualTo(permanent);
        assertThat(GREEN.getReceivedMessages()).isEmpty();
    }
}
