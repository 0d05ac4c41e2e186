package io.seatwatch.notifier.webhook.delivery;

import java.nio.charset.StandardCharsets;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Component;
import org.springframework.util.MimeTypeUtils;

/**
 * Sends the events whose delivery failed for good (all attempts failed, or the address was refused) to the
 * dead-letter output binding {@value #BINDING}; its destination lives only in configuration. The message is
 * the event as received, with headers that say why.
 */
@Component
public class DeadLetters {

    public static final String BINDING = "webhookDead-out-0";

    private final StreamBridge bridge;

    DeadLetters(StreamBridge bridge) {
        this.bridge = bridge;
    }

    /** Blocking: call it off the event loop. Throws when the binder does not take the message. */
    public void publish(Task task, String status, String error, int attempts) {
        send(MessageBuilder.withPayload(task.event().getBytes(StandardCharsets.UTF_8))
                .setHeader("contentType", MimeTypeUtils.APPLICATION_JSON_VALUE)
                .setHeader("eventType", Promotion.EVENT_TYPE)
                .setHeader("eventId", task.eventId())
                .setHeader("schemaVersion", "1")
                .setHeader("webhookStatus", status)
                .setHeader("webhookError", error == null ? "" : error)
                .setHeader("webhookAttempts", attempts)
                .setHeader("webhookUrl", task.url() == null ? "" : task.url())
                .build());
    }

    /** A message that is not a valid event, as it came (headers included), with the reason. */
    public void publishInvalid(Message<byte[]> received, String reason) {
        send(MessageBuilder.fromMessage(received)
                .setHeader("webhookStatus", "INVALID")
                .setHeader("webhookError", reason)
                .build());
    }

    private void send(Message<byte[]> message) {
        if (!bridge.send(BINDING, message)) {
            throw new IllegalStateException("the dead-letter binding did not take the message");
        }
    }
}
