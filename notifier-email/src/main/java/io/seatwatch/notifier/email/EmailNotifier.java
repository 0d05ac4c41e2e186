package io.seatwatch.notifier.email;

import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Handles one event message: reads it, composes the email, claims it in the {@link DeliveryLedger}, sends
 * it and marks it done. Returning normally acknowledges the message; a {@link TransientEmailFailure} is
 * retried by the binder, a {@link PermanentEmailFailure} goes to the dead-letter queue at once.
 *
 * <p>A claim that finds another live lease (a duplicate delivery being sent elsewhere, or a claimer that
 * died) waits for it here instead of spending the binder's retries: the other sender finishes (done, skip)
 * or its lease expires (take over and send, with the same Message-ID).
 */
@Component
class EmailNotifier {

    private static final Logger log = LoggerFactory.getLogger(EmailNotifier.class);

    private final EventReader reader;
    private final EmailComposer composer;
    private final EmailSender sender;
    private final DeliveryLedger ledger;
    private final EmailMetrics metrics;
    private final Clock clock;

    EmailNotifier(EventReader reader, EmailComposer composer, EmailSender sender, DeliveryLedger ledger,
                  EmailMetrics metrics, Clock clock) {
        this.reader = reader;
        this.composer = composer;
        this.sender = sender;
        this.ledger = ledger;
        this.metrics = metrics;
        this.clock = clock;
    }

    void handle(Message<byte[]> message) {
        Optional<EmailEvent> read = reader.read(message);
        if (read.isEmpty()) {
            metrics.skipped("other-type").increment();
            log.debug("Event {} of type {} is not mailed", message.getHeaders().get("eventId"),
                    message.getHeaders().get(EventReader.EVENT_TYPE));
            return;
        }
        EmailEvent event = read.get();
        if (event.email() == null) {
            metrics.skipped("no-address").increment();
            log.debug("Event {} has no email channel", event.eventId());
            return;
        }
        if (event instanceof EmailEvent.Confirmation c && c.expiresAt() != null && !c.expiresAt().isAfter(clock.instant())) {
            // A redriven or long-delayed request: its link would only answer 404, so it is not mailed.
            metrics.skipped("expired").increment();
            log.info("Confirmation email for event {} not sent: its link expired at {}", event.eventId(), c.expiresAt());
            return;
        }
        OutgoingEmail email = composer.compose(event);
        DeliveryLedger.Claim claim = claim(event, email);
        if (claim.state() == DeliveryLedger.State.DONE) {
            metrics.deduplicated(event.type()).increment();
            log.debug("Email {} was sent already", email.messageId());
            return;
        }
        Timer.Sample sample = Timer.start();
        try {
            sender.send(email);
        } catch (RuntimeException e) {
            String kind = e instanceof PermanentEmailFailure ? "permanent" : "transient";
            sample.stop(metrics.sendTimer(event.type(), kind));
            metrics.failed(event.type(), kind).increment();
            releaseQuietly(claim);
            log.warn("Email {} for event {} failed ({}): {}", email.messageId(), event.eventId(), kind, e.getMessage());
            throw e;
        }
        sample.stop(metrics.sendTimer(event.type(), "sent"));
        metrics.sent(event.type()).increment();
        try {
            ledger.done(claim);
        } catch (RuntimeException e) {
            // The email is out: acknowledge anyway. Only a later redelivery of this event (rare) could repeat
            // it, after the lease expires, with the same Message-ID.
            log.warn("Email {} was sent but its done marker could not be written: {}", email.messageId(), e.toString());
        }
        log.info("Sent {} email {} for event {}", event.type(), email.messageId(), event.eventId());
    }

    /** Claims the email, waiting while another claimer's lease is live (at most about one lease TTL). */
    private DeliveryLedger.Claim claim(EmailEvent event, OutgoingEmail email) {
        DeliveryLedger.Keys keys = ledger.keys(event.eventId(), email.recipient());
        long deadline = System.nanoTime() + ledger.leaseTtl().plus(ledger.leasePoll().multipliedBy(2)).toNanos();
        boolean waited = false;
        try {
            DeliveryLedger.Claim claim = ledger.claim(keys);
            while (claim.state() == DeliveryLedger.State.BUSY) {
                if (System.nanoTime() - deadline > 0) {
                    throw new TransientEmailFailure("Email " + email.messageId()
                            + " is still claimed by another sender after " + ledger.leaseTtl(), null);
                }
                if (!waited) {
                    log.info("Email {} is claimed by another sender (lease {} ms left); waiting for it",
                            email.messageId(), claim.leaseMillisLeft());
                    waited = true;
                }
                long pause = claim.leaseMillisLeft() > 0
                        ? Math.min(ledger.leasePoll().toMillis(), claim.leaseMillisLeft() + 5)
                        : ledger.leasePoll().toMillis();
                Thread.sleep(pause);
                claim = ledger.claim(keys);
            }
            if (waited && claim.state() == DeliveryLedger.State.CLAIMED) {
                metrics.takeovers().increment();
                log.info("Email {}: the other sender's lease expired without a done marker; sending it", email.messageId());
            }
            return claim;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientEmailFailure("Interrupted while waiting for the lease of " + email.messageId(), e);
        } catch (TransientEmailFailure e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TransientEmailFailure("Cannot claim email " + email.messageId() + " in Redis: " + e.getMessage(), e);
        }
    }

    private void releaseQuietly(DeliveryLedger.Claim claim) {
        try {
            ledger.release(claim);
        } catch (RuntimeException e) {
            log.debug("Could not release the lease {}: {}", claim.keys().sending(), e.toString());
        }
    }
}
