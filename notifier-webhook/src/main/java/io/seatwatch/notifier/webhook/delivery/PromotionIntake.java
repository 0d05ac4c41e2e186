package io.seatwatch.notifier.webhook.delivery;

import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the {@code webhook} consumer does with each message: a promotion with a webhook is written to the
 * Redis schedule before the method returns, so before the message is acked; a failure to write it leaves the
 * message to the binder's retries and then its dead-letter queue. A message that is not a valid event goes
 * to the dead-letter destination at once. Other events, and promotions whose student had no webhook when they
 * happened, are acked and ignored.
 */
@Component
public class PromotionIntake {

    private static final Logger log = LoggerFactory.getLogger(PromotionIntake.class);
    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(10);

    private final JsonMapper json;
    private final DeliveryStore store;
    private final DeliveryScheduler scheduler;
    private final DeadLetters deadLetters;

    PromotionIntake(JsonMapper json, DeliveryStore store, DeliveryScheduler scheduler, DeadLetters deadLetters) {
        this.json = json;
        this.store = store;
        this.scheduler = scheduler;
        this.deadLetters = deadLetters;
    }

    public void accept(Message<byte[]> message) {
        Object type = message.getHeaders().get("eventType");
        if (type != null && !Promotion.EVENT_TYPE.equals(type.toString())) {
            log.debug("Ignoring a {} event", type);
            return;
        }
        Optional<Promotion> promotion;
        try {
            promotion = Promotion.parse(message.getPayload(), json);
            Object headerId = message.getHeaders().get("eventId");
            if (promotion.isPresent() && headerId != null && !headerId.toString().equals(promotion.get().eventId())) {
                throw new InvalidEventException("the eventId header differs from the body's eventId");
            }
        } catch (InvalidEventException e) {
            // Retrying cannot help: straight to the dead-letter queue, and the message is acked.
            log.warn("Dead-lettering a message that is not a valid event: {}", e.getMessage());
            deadLetters.publishInvalid(message, e.getMessage());
            return;
        }
        if (promotion.isEmpty()) {
            return;
        }
        Promotion p = promotion.get();
        Boolean accepted = store.accept(p).block(REDIS_TIMEOUT);
        if (Boolean.TRUE.equals(accepted)) {
            scheduler.wake();
        } else {
            log.debug("Event {} was received before; not scheduled again", p.eventId());
        }
    }
}
