package io.seatwatch.notifier.email;

import jakarta.mail.MessagingException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailException;
import org.springframework.mail.MailParseException;
import org.springframework.mail.MailPreparationException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.stereotype.Component;

/**
 * Hands a composed email to the SMTP server and sorts failures: a 5xx reply to the sender, the recipient
 * or the data (an unknown mailbox, a refused message) is permanent; anything else (no connection, a
 * timeout, a 4xx reply, failed authentication, which an operator fixes) is transient.
 */
@Component
class EmailSender implements DisposableBean {

    /** Angus Mail's property for the executor that enforces {@code mail.smtp.writetimeout}. */
    static final String WRITE_TIMEOUT_EXECUTOR = "mail.smtp.executor.writetimeout";

    private final SmtpConnections connections;

    /**
     * Without one given, Angus Mail starts an executor, and so a thread, for every SMTP connection it opens to
     * time its writes (7 % of this app's CPU per email in bench/e2e.sh when every email had its own connection).
     * One shared for all.
     */
    private final ScheduledThreadPoolExecutor writeTimeouts = new ScheduledThreadPoolExecutor(1, task -> {
        Thread thread = new Thread(task, "smtp-write-timeouts");
        thread.setDaemon(true);
        return thread;
    });

    EmailSender(JavaMailSenderImpl mail, EmailProperties properties, EmailMetrics metrics) {
        // A write that finished cancels its timer: drop it from the queue at once rather than when it would fire.
        writeTimeouts.setRemoveOnCancelPolicy(true);
        // An object value: the session reads this property with get(), not getProperty().
        mail.getJavaMailProperties().put(WRITE_TIMEOUT_EXECUTOR, writeTimeouts);
        this.connections = new SmtpConnections(mail, properties.connections());
        metrics.watch(connections);
    }

    @Override
    public void destroy() {
        connections.close();
        writeTimeouts.shutdownNow();
    }

    void send(OutgoingEmail email) {
        try {
            connections.send(email.message());
        } catch (MailException e) {
            throw classify(email, e);
        }
    }

    static RuntimeException classify(OutgoingEmail email, MailException e) {
        String about = "Sending " + email.messageId() + " failed: ";
        if (e instanceof MailParseException || e instanceof MailPreparationException) {
            return new PermanentEmailFailure(about + describe(e), e);
        }
        if (e instanceof MailAuthenticationException) {
            return new TransientEmailFailure(about + "SMTP authentication failed: " + describe(e), e);
        }
        Integer code = replyCode(e);
        if (code != null && code >= 500 && code < 600) {
            return new PermanentEmailFailure(about + "the mail server refused it for good: " + describe(e), e);
        }
        return new TransientEmailFailure(about + (code == null ? "" : "the mail server answered " + code + ": ")
                + describe(e), e);
    }

    /** The first SMTP reply code among the failure, its causes and the exceptions JavaMail chained to it. */
    static Integer replyCode(Throwable failure) {
        for (Throwable t : chain(failure)) {
            if (t instanceof SMTPAddressFailedException a) {
                return a.getReturnCode();
            }
            if (t instanceof SMTPSenderFailedException s) {
                return s.getReturnCode();
            }
            if (t instanceof SMTPSendFailedException s) {
                return s.getReturnCode();
            }
        }
        return null;
    }

    /** The most specific messages of the failure, on one line: what an operator reads in the DLQ. */
    static String describe(Throwable failure) {
        StringBuilder out = new StringBuilder();
        for (Throwable t : chain(failure)) {
            String message = t.getMessage();
            if (message != null && !message.isBlank() && out.indexOf(message.strip()) < 0) {
                out.append(out.length() == 0 ? "" : "; ").append(t.getClass().getSimpleName()).append(": ")
                        .append(message.strip());
            }
        }
        return Text.line(out.toString(), 1000);
    }

    /**
     * The failure and everything behind it, breadth first: causes, the per-message failures of a
     * {@link MailSendException} and the exceptions JavaMail chains with {@code setNextException}.
     */
    static List<Throwable> chain(Throwable failure) {
        List<Throwable> all = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> todo = new ArrayDeque<>();
        todo.add(failure);
        while (!todo.isEmpty() && all.size() < 32) {
            Throwable t = todo.poll();
            if (!seen.add(t)) {
                continue;
            }
            all.add(t);
            if (t instanceof MailSendException send) {
                todo.addAll(send.getFailedMessages().values());
            }
            if (t instanceof MessagingException m && m.getNextException() != null) {
                todo.add(m.getNextException());
            }
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
        }
        return all;
    }
}
