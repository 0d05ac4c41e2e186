package io.seatwatch.notifier.email;

import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * SMTP connections kept open between emails. Opening one per email (what {@link JavaMailSenderImpl#send}
 * does: connect, greeting, EHLO, ..., QUIT) took 18 % of this app's CPU per email in bench/e2e.sh and
 * doubled the round trips.
 * <p>
 * A connection carries one email at a time. It is closed, not reused, after any failed send (its state is
 * unknown), after {@code maxEmails} emails, and after {@code idleTimeout} unused. One unused for longer than
 * {@code verifyAfterIdle} is checked with NOOP first. A reused connection that fails without an SMTP reply
 * (the server or a middlebox dropped it while idle) is replaced and the email tried once more on a fresh one:
 * the email was not at fault. Failures are thrown as Spring's {@link MailException}s, like
 * {@link JavaMailSenderImpl#send} throws them.
 */
final class SmtpConnections implements AutoCloseable {

    /** A connection and how many emails it carried. Only the thread that borrowed it touches it. */
    static final class Connection {
        final Transport transport;
        int emails;

        Connection(Transport transport) {
            this.transport = transport;
        }
    }

    private final GenericObjectPool<Connection> pool;
    private final EmailProperties.Connections settings;

    SmtpConnections(JavaMailSenderImpl mail, EmailProperties.Connections settings) {
        this.settings = settings;
        GenericObjectPoolConfig<Connection> config = new GenericObjectPoolConfig<>();
        config.setMaxTotal(settings.maxOpen());
        config.setMaxIdle(settings.maxOpen());
        config.setBlockWhenExhausted(true);
        config.setMaxWait(settings.maxWait());
        // Most recently returned first: under light load the same few connections stay warm, the rest expire.
        config.setLifo(true);
        config.setTestOnBorrow(true);
        config.setMinEvictableIdleDuration(settings.idleTimeout());
        config.setTimeBetweenEvictionRuns(evictionInterval(settings.idleTimeout()));
        config.setNumTestsPerEvictionRun(settings.maxOpen());
        config.setJmxEnabled(false);
        this.pool = new GenericObjectPool<>(new Factory(mail, settings.verifyAfterIdle()), config);
    }

    private static Duration evictionInterval(Duration idleTimeout) {
        Duration half = idleTimeout.dividedBy(2);
        return half.compareTo(Duration.ofMillis(50)) < 0 ? Duration.ofMillis(50) : half;
    }

    /** Sends the message to its recipients on an open connection, opening one when none is free. */
    void send(MimeMessage message) throws MailException {
        Address[] recipients = recipients(message);
        for (int attempt = 1; ; attempt++) {
            Connection connection = borrow();
            boolean reused = connection.emails > 0;
            try {
                connection.transport.sendMessage(message, recipients);
            } catch (MessagingException | RuntimeException e) {
                discard(connection);
                if (reused && attempt == 1 && droppedWhileIdle(e)) {
                    continue;
                }
                throw new MailSendException(Map.of(message, e));
            }
            connection.emails++;
            if (connection.emails >= settings.maxEmails()) {
                discard(connection);
            } else {
                pool.returnObject(connection);
            }
            return;
        }
    }

    /** Open connections: carrying an email, and idle in the pool. */
    int active() {
        return pool.getNumActive();
    }

    int idle() {
        return pool.getNumIdle();
    }

    /** Closes the idle connections now; one still carrying an email is closed when it is handed back. */
    @Override
    public void close() {
        pool.close();
    }

    private static Address[] recipients(MimeMessage message) {
        try {
            Address[] all = message.getAllRecipients();
            return all == null ? new Address[0] : all;
        } catch (MessagingException e) {
            throw new MailSendException(Map.of(message, e));
        }
    }

    private Connection borrow() {
        try {
            return pool.borrowObject();
        } catch (AuthenticationFailedException e) {
            throw new MailAuthenticationException(e);
        } catch (NoSuchElementException e) {
            // All max-open connections stayed busy for max-wait, or a new one failed its NOOP.
            throw new MailSendException("No usable SMTP connection (max-open " + settings.maxOpen() + ", max-wait "
                    + settings.maxWait() + "): " + e.getMessage(), e);
        } catch (Exception e) {
            throw new MailSendException("Mail server connection failed", e);
        }
    }

    private void discard(Connection connection) {
        try {
            pool.invalidateObject(connection);
        } catch (Exception e) {
            // closing a broken connection may fail too; it is out of the pool either way
        }
    }

    /**
     * An I/O failure without an SMTP reply: a connection reset, a broken pipe, or the end of the stream (which
     * Angus Mail reports as reply code -1). Not a timeout: retrying a hung server would double the attempt.
     */
    static boolean droppedWhileIdle(Throwable failure) {
        Integer code = EmailSender.replyCode(failure);
        if (code != null && code >= 0) {
            return false;
        }
        List<Throwable> chain = EmailSender.chain(failure);
        if (chain.stream().anyMatch(SocketTimeoutException.class::isInstance)) {
            return false;
        }
        return code != null || chain.stream().anyMatch(IOException.class::isInstance);
    }

    static final class Factory extends BasePooledObjectFactory<Connection> {

        private final JavaMailSenderImpl mail;
        private final Duration verifyAfterIdle;

        Factory(JavaMailSenderImpl mail, Duration verifyAfterIdle) {
            this.mail = mail;
            this.verifyAfterIdle = verifyAfterIdle;
        }

        /** What {@code JavaMailSenderImpl.connectTransport()} does, which is not public. */
        @Override
        public Connection create() throws MessagingException {
            String username = mail.getUsername();
            String password = mail.getPassword();
            if (username != null && username.isEmpty()) {
                username = null;
                password = password != null && password.isEmpty() ? null : password;
            }
            String protocol = mail.getProtocol() != null ? mail.getProtocol()
                    : mail.getSession().getProperty("mail.transport.protocol");
            Transport transport = mail.getSession().getTransport(protocol != null ? protocol : "smtp");
            transport.connect(mail.getHost(), mail.getPort(), username, password);
            return new Connection(transport);
        }

        @Override
        public PooledObject<Connection> wrap(Connection connection) {
            return new DefaultPooledObject<>(connection);
        }

        /** Trusted when it was in use a moment ago; otherwise asked (NOOP), since the server may have closed it. */
        @Override
        public boolean validateObject(PooledObject<Connection> pooled) {
            Instant lastUsed = pooled.getLastReturnInstant();
            if (Duration.between(lastUsed, Instant.now()).compareTo(verifyAfterIdle) < 0) {
                return true;
            }
            return pooled.getObject().transport.isConnected();
        }

        /** QUIT, or just the socket closed when the server went away. */
        @Override
        public void destroyObject(PooledObject<Connection> pooled) throws MessagingException {
            pooled.getObject().transport.close();
        }
    }
}
