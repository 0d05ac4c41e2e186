package io.seatwatch.notifier.email;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Map;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;
import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailSendException;

/** How SMTP failures are sorted into permanent (dead-letter at once) and transient (retry). */
class EmailSenderTest {

    final OutgoingEmail email = new OutgoingEmail("<id@seatwatch>", "alice@example.edu", null);

    static MailSendException rcptRefused(int code, String text) throws Exception {
        InternetAddress to = new InternetAddress("alice@example.edu");
        SMTPAddressFailedException rcpt = new SMTPAddressFailedException(to, "RCPT TO:<alice@example.edu>", code, text);
        SendFailedException invalid = new SendFailedException("Invalid Addresses", rcpt);
        return new MailSendException(Map.of(new Object(), invalid));
    }

    @Test
    void anUnknownMailboxIsPermanentAndNamesTheReply() throws Exception {
        RuntimeException result = EmailSender.classify(email, rcptRefused(550, "550 5.1.1 <alice@example.edu>: user unknown"));
        assertThat(result).isInstanceOf(PermanentEmailFailure.class).hasMessageContaining("550 5.1.1")
                .hasMessageContaining("<id@seatwatch>");
    }

    @Test
    void aRefusedMessageIsPermanent() {
        SMTPSendFailedException data = new SMTPSendFailedException("DATA", 554, "554 5.7.1 message refused",
                null, null, null, null);
        RuntimeException result = EmailSender.classify(email, new MailSendException(Map.of(new Object(), data)));
        assertThat(result).isInstanceOf(PermanentEmailFailure.class).hasMessageContaining("554 5.7.1");
    }

    @Test
    void aTemporaryReplyIsTransient() throws Exception {
        RuntimeException result = EmailSender.classify(email, rcptRefused(451, "451 4.3.0 try again later"));
        assertThat(result).isInstanceOf(TransientEmailFailure.class).hasMessageContaining("451");
    }

    @Test
    void noConnectionATimeoutOrFailedAuthenticationAreTransient() {
        MessagingException refused = new MessagingException("Couldn't connect to host", new ConnectException("Connection refused"));
        assertThat(EmailSender.classify(email, new MailSendException("Mail server connection failed", refused)))
                .isInstanceOf(TransientEmailFailure.class).hasMessageContaining("Connection refused");
        MessagingException timeout = new MessagingException("Exception reading response", new SocketTimeoutException("Read timed out"));
        assertThat(EmailSender.classify(email, new MailSendException(Map.of(new Object(), timeout))))
                .isInstanceOf(TransientEmailFailure.class).hasMessageContaining("Read timed out");
        assertThat(EmailSender.classify(email, new MailAuthenticationException("535 5.7.8 bad credentials")))
                .isInstanceOf(TransientEmailFailure.class);
    }
}
