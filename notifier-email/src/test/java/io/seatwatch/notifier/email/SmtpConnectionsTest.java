package io.seatwatch.notifier.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * The SMTP connections kept open between emails, against GreenMail behind {@link SmtpGate}, which counts the
 * connections and can drop them or answer like a server that refuses.
 */
class SmtpConnectionsTest {

    @RegisterExtension
    static final GreenMailExtension GREEN = Mailboxes.greenMail();
    static final SmtpGate SMTP = new SmtpGate(() -> GREEN.getSmtp().getPort());
    static final Duration LONG = Duration.ofHours(1);

    final AtomicInteger sequence = new AtomicInteger();
    final List<SmtpConnections> pools = new ArrayList<>();
    final JavaMailSenderImpl mail = new JavaMailSenderImpl();

    @BeforeEach
    void reset() throws Exception {
        SMTP.forward();
        GREEN.purgeEmailFromAllMailboxes();
        mail.setHost("127.0.0.1");
        mail.setPort(SMTP.port());
        mail.getJavaMailProperties().put("mail.smtp.timeout", "5000");
    }

    @AfterEach
    void closePools() {
        pools.forEach(SmtpConnections::close);
    }

    @AfterAll
    static void closeGate() {
        SMTP.close();
    }

    SmtpConnections connections(int maxOpen, Duration idleTimeout, Duration verifyAfterIdle, int maxEmails) {
        SmtpConnections pool = new SmtpConnections(mail,
                new EmailProperties.Connections(maxOpen, Duration.ofMillis(300), idleTimeout, verifyAfterIdle, maxEmails));
        pools.add(pool);
        return pool;
    }

    MimeMessage email() throws Exception {
        MimeMessage message = new MimeMessage(mail.getSession());
        message.setFrom(new InternetAddress("no-reply@seatwatch.example"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("alice@example.edu"));
        message.setSubject("email " + sequence.incrementAndGet());
        message.setText("seat");
        message.saveChanges();
        return message;
    }

    int delivered() {
        return GREEN.getReceivedMessages().length;
    }

    @Test
    void emailsInARowShareOneConnection() throws Exception {
        SmtpConnections pool = connections(4, LONG, LONG, 100);
        for (int i = 0; i < 5; i++) {
            pool.send(email());
        }
        assertThat(delivered()).isEqualTo(5);
        assertThat(SMTP.connections()).isEqualTo(1);
        assertThat(pool.idle()).isEqualTo(1);
        assertThat(pool.active()).isZero();
    }

    @Test
    void concurrentSendersOpenAtMostMaxOpenConnections() throws Exception {
        SmtpConnections pool = connections(2, LONG, LONG, 100);
        ExecutorService senders = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                MimeMessage message = email();
                sends.add(senders.submit(() -> {
                    pool.send(message);
                    return null;
                }));
            }
            for (Future<?> send : sends) {
                send.get();
            }
        } finally {
            senders.shutdownNow();
        }
        assertThat(delivered()).isEqualTo(40);
        assertThat(SMTP.connections()).isBetween(1, 2);
    }

    @Test
    void aConnectionIsReplacedAfterMaxEmails() throws Exception {
        SmtpConnections pool = connections(4, LONG, LONG, 2);
        for (int i = 0; i < 5; i++) {
            pool.send(email());
        }
        assertThat(delivered()).isEqualTo(5);
        assertThat(SMTP.connections()).isEqualTo(3);
        // The two that carried their two emails were closed, not left open.
        await().atMost(Duration.ofSeconds(5)).until(() -> SMTP.openConnections() == 1);
    }

    @Test
    void aConnectionUnusedForTheIdleTimeoutIsClosed() throws Exception {
        SmtpConnections pool = connections(4, Duration.ofMillis(200), LONG, 100);
        pool.send(email());
        assertThat(SMTP.openConnections()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(5)).until(() -> SMTP.openConnections() == 0);
        assertThat(pool.idle()).isZero();
        pool.send(email());
        assertThat(delivered()).isEqualTo(2);
        assertThat(SMTP.connections()).isEqualTo(2);
    }

    @Test
    void closingQuitsTheOpenConnections() throws Exception {
        SmtpConnections pool = connections(4, LONG, LONG, 100);
        pool.send(email());
        assertThat(SMTP.openConnections()).isEqualTo(1);

        pool.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> SMTP.openConnections() == 0);
    }

    @Test
    void anEmailOnAConnectionTheServerDroppedGoesOutOnAFreshOne() throws Exception {
        SmtpConnections pool = connections(4, LONG, LONG, 100);
        pool.send(email());
        SMTP.forward(); // drops every open connection, as a restarted server or an idle-reaping firewall would

        pool.send(email());
        assertThat(delivered()).isEqualTo(2);
        assertThat(SMTP.connections()).as("connections since the drop").isEqualTo(1);
    }

    @Test
    void aConnectionIdleLongerThanVerifyAfterIdleIsCheckedBeforeUse() throws Exception {
        SmtpConnections.Connection connection = new SmtpConnections.Factory(mail, Duration.ZERO).create();
        SmtpConnections.Factory trusting = new SmtpConnections.Factory(mail, LONG);
        SmtpConnections.Factory checking = new SmtpConnections.Factory(mail, Duration.ZERO);
        DefaultPooledObject<SmtpConnections.Connection> pooled = new DefaultPooledObject<>(connection);
        assertThat(checking.validateObject(pooled)).as("alive, NOOP answered").isTrue();

        SMTP.forward(); // the server side goes away
        assertThat(trusting.validateObject(pooled)).as("just used: trusted without asking").isTrue();
        assertThat(checking.validateObject(pooled)).as("idle: NOOP finds it gone").isFalse();
    }

    @Test
    void aRefusalIsNotRetriedAndItsConnectionIsNotReused() throws Exception {
        SmtpConnections pool = connections(4, LONG, LONG, 100);
        SMTP.reject("250 OK");
        pool.send(email());

        SMTP.answerRcpt("451 4.3.0 mailbox busy, try later");
        assertThatThrownBy(() -> pool.send(email())).isInstanceOf(MailSendException.class)
                .satisfies(e -> assertThat(EmailSender.replyCode(e)).isEqualTo(451));
        assertThat(SMTP.rcptAttempts()).as("one RCPT per send: a reply is not a dropped connection").isEqualTo(2);

        SMTP.answerRcpt("250 OK");
        pool.send(email());
        assertThat(SMTP.connections()).as("the connection that failed was replaced").isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> SMTP.openConnections() == 1);
    }

    @Test
    void aSendWaitsAtMostMaxWaitForABusyConnection() throws Exception {
        SmtpConnections pool = connections(1, LONG, LONG, 100);
        SMTP.forward(1500); // the only connection takes 1.5 s to be greeted
        ExecutorService first = Executors.newSingleThreadExecutor();
        try {
            MimeMessage slow = email();
            Future<?> holding = first.submit(() -> {
                pool.send(slow);
                return null;
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> SMTP.connections() == 1);

            assertThatThrownBy(() -> pool.send(email())).isInstanceOf(MailSendException.class)
                    .hasMessageContaining("No usable SMTP connection (max-open 1");
            holding.get();
        } finally {
            first.shutdownNow();
        }
        assertThat(delivered()).isEqualTo(1);
    }

    @Test
    void settingsThatCannotWorkAreRefused() {
        try (ValidatorFactory factory = Validation.buildDefaultValidatorFactory()) {
            Validator validator = factory.getValidator();
            assertThat(validator.validate(new EmailProperties.Connections(4, Duration.ofSeconds(10), Duration.ofSeconds(30),
                    Duration.ZERO, 100))).isEmpty();
            assertThat(validator.validate(new EmailProperties.Connections(0, Duration.ZERO, Duration.ofSeconds(-1),
                    Duration.ofSeconds(-1), 0))).extracting(v -> v.getPropertyPath().toString())
                    .containsExactlyInAnyOrder("maxOpen", "maxWait", "idleTimeout", "verifyAfterIdle", "maxEmails");
        }
    }

    @Test
    void droppedMeansAnIoFailureWithoutAReplyAndNotATimeout() {
        assertThat(SmtpConnections.droppedWhileIdle(new MessagingException("Can't send command to SMTP host",
                new SocketException("Broken pipe")))).isTrue();
        assertThat(SmtpConnections.droppedWhileIdle(new SMTPSendFailedException("MAIL FROM", -1, "[EOF]", null, null,
                null, null))).isTrue();
        assertThat(SmtpConnections.droppedWhileIdle(new MessagingException("Exception reading response",
                new SocketTimeoutException("Read timed out")))).isFalse();
        assertThat(SmtpConnections.droppedWhileIdle(new SMTPSendFailedException("DATA", 554, "554 refused", null, null,
                null, null))).isFalse();
    }
}
