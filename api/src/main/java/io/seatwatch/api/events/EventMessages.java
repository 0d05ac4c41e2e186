package io.seatwatch.api.events;

import io.seatwatch.api.redis.ScriptReply;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeTypeUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns an outbox entry into the public event message (schemas in {@code docs/events/}): the entry's
 * fields as JSON, times rendered as ISO-8601 UTC, the sequence as a number. Headers carry the event type
 * (the routing key on RabbitMQ), the eventId, the schema version and the trace context; a publisher adapter
 * adds what its broker needs.
 */
public final class EventMessages {

    public static final String EVENT_TYPE = "eventType";
    public static final String EVENT_ID = "eventId";
    public static final String SCHEMA_VERSION = "schemaVersion";

    /** The order fields are written in; anything else follows alphabetically. */
    private static final List<String> ORDER = List.of("type", "eventId", "sequence", "occurredAt", "classId",
            "department", "courseCode", "section", "title", "studentId", "cause", "email", "webhookUrl",
            "confirmationUrl", "expiresAt", "traceparent");

    private EventMessages() {}

    public static Message<byte[]> toMessage(Map<String, String> entry, JsonMapper json) {
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, String> rest = new TreeMap<>(entry);
        for (String field : ORDER) {
            String value = rest.remove(field);
            if (value != null) {
                body.put(field, render(field, value));
            }
        }
        rest.forEach((field, value) -> body.put(field, render(field, value)));
        MessageBuilder<byte[]> message = MessageBuilder.withPayload(json.writeValueAsBytes(body))
                .setHeader("contentType", MimeTypeUtils.APPLICATION_JSON_VALUE)
                .setHeader(EVENT_TYPE, entry.get("type"))
                .setHeader(EVENT_ID, entry.get("eventId"))
                .setHeader(SCHEMA_VERSION, "1");
        if (entry.containsKey("traceparent")) {
            message.setHeader("traceparent", entry.get("traceparent"));
        }
        return message.build();
    }

    private static Object render(String field, String value) {
        if (field.equals("sequence")) {
            return Long.parseLong(value);
        }
        if (field.endsWith("At")) {
            return ScriptReply.micros(value).toString();
        }
        return value;
    }
}
