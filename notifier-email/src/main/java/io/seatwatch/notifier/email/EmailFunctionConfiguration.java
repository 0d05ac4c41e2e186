package io.seatwatch.notifier.email;

import jakarta.mail.util.StreamProvider;
import java.util.function.Consumer;
import org.eclipse.angus.mail.util.MailStreamProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.SubscribableChannel;
import org.springframework.messaging.support.ErrorMessage;

/**
 * The {@code email} function. Its input binding ({@code email-in-0}), destination, group, routing keys,
 * queue type, dead-letter queue and retries are configured only in {@code spring.cloud.stream.*}.
 */
@Configuration(proxyBeanMethods = false)
class EmailFunctionConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmailFunctionConfiguration.class);

    static {
        // Jakarta Mail 2.1 looks its StreamProvider up through ServiceLoader each time it creates a body part or
        // encodes a header (jakartaee/mail-api#699, #861). Scanning Spring Boot's nested jar that way took a third
        // of this app's CPU per email in bench/e2e.sh; named here, the lookup is a Class.forName.
        System.getProperties().putIfAbsent(StreamProvider.class.getName(), MailStreamProvider.class.getName());
    }

    @Bean
    Consumer<Message<byte[]>> email(EmailNotifier notifier) {
        return notifier::handle;
    }

    /**
     * Messages whose retries are exhausted, or that failed permanently, reach the error channel once, on
     * their way to the dead-letter queue: count and log them with their cause.
     */
    @Bean
    InitializingBean deadLetterAccounting(@Qualifier("errorChannel") SubscribableChannel errors, EmailMetrics metrics) {
        return () -> errors.subscribe(message -> {
            if (!(message instanceof ErrorMessage error)) {
                return;
            }
            Message<?> failed = error.getPayload() instanceof MessagingException m && m.getFailedMessage() != null
                    ? m.getFailedMessage() : error.getOriginalMessage();
            if (failed != null && failed.getHeaders().containsKey(EventReader.EVENT_TYPE)) {
                metrics.deadLettered().increment();
                log.error("Event {} ({}) goes to the dead-letter queue: {}", failed.getHeaders().get("eventId"),
                        failed.getHeaders().get(EventReader.EVENT_TYPE), reason(error.getPayload()));
            }
        });
    }

    /** Our own failure's message (it names the email and the SMTP reply), else the most specific cause's. */
    static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PermanentEmailFailure || t instanceof TransientEmailFailure) {
                return t.getMessage();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        Throwable deepest = failure;
        while (deepest.getCause() != null && deepest.getCause() != deepest) {
            deepest = deepest.getCause();
        }
        return deepest.toString();
    }
}
