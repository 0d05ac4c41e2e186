package io.seatwatch.notifier.email;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.util.Arrays;
import java.util.List;

/** GreenMail on a dynamic port, one per test class, and what it received. */
final class Mailboxes {

    private Mailboxes() {}

    static GreenMailExtension greenMail() {
        return new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort()).withPerMethodLifecycle(false);
    }

    static MimeMessage[] to(GreenMailExtension green, String address) {
        return Arrays.stream(green.getReceivedMessages())
                .filter(m -> Arrays.stream(unchecked(m::getAllRecipients)).anyMatch(a -> a.toString().equals(address)))
                .toArray(MimeMessage[]::new);
    }

    static List<String> messageIds(GreenMailExtension green) {
        return Arrays.stream(green.getReceivedMessages()).map(m -> unchecked(m::getMessageID)).toList();
    }

    private interface MailCall<T> {
        T call() throws MessagingException;
    }

    private static <T> T unchecked(MailCall<T> call) {
        try {
            return call.call();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
