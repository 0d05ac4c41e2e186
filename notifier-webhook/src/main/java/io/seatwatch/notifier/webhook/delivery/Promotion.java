package io.seatwatch.notifier.webhook.delivery;

import io.seatwatch.webhooks.DeliveryKeys;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An {@code EnrollmentPromoted} event (docs/events) to be delivered, with the webhook body built from it
 * once, at first receipt: {@code {"type":"enrollment.promoted","timestamp":<occurredAt>,"data":{…}}}. The
 * body is stored and every attempt and replay sends exactly these bytes.
 *
 * @param webhookUrl the URL the subscription had when the event was made (attempts use the current one)
 * @param event the event as received, for the dead-letter destination
 */
public record Promotion(String eventId, String studentId, String classId, String webhookUrl, String webhookBody,
                        String event) {

    public static final String EVENT_TYPE = "EnrollmentPromoted";
    public static final String WEBHOOK_TYPE = "enrollment.promoted";

    /** The event fields a receiver gets in {@code data}: never a channel, a secret or trace context. */
    static final List<String> DATA_FIELDS = List.of("eventId", "sequence", "occurredAt", "classId", "department",
            "courseCode", "section", "title", "studentId", "cause");

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /**
     * The promotion to deliver; empty for another event type or a promotion without a webhook.
     *
     * @throws InvalidEventException when the payload is not a valid event (retrying cannot help)
     */
    public static Optional<Promotion> parse(byte[] payload, JsonMapper json) {
        JsonNode event;
        try {
            event = json.readTree(payload);
        } catch (JacksonException e) {
            throw new InvalidEventException("the message is not JSON");
        }
        if (event == null || !event.isObject()) {
            throw new InvalidEventException("the message is not a JSON object");
        }
        if (!EVENT_TYPE.equals(event.path("type").asString(""))) {
            return Optional.empty();
        }
        String eventId = require(event, "eventId", DeliveryKeys.EVENT_ID);
        String studentId = require(event, "studentId", ID);
        String classId = require(event, "classId", ID);
        if (!event.path("occurredAt").isString()) {
            throw new InvalidEventException("occurredAt is missing");
        }
        JsonNode url = event.get("webhookUrl");
        if (url == null || !url.isString() || url.asString().isEmpty()) {
            return Optional.empty();
        }
        ObjectNode body = json.createObjectNode();
        body.put("type", WEBHOOK_TYPE);
        body.set("timestamp", event.get("occurredAt"));
        ObjectNode data = body.putObject("data");
        for (String field : DATA_FIELDS) {
            if (event.has(field)) {
                data.set(field, event.get(field));
            }
        }
        return Optional.of(new Promotion(eventId, studentId, classId, url.asString(), json.writeValueAsString(body),
                new String(payload, StandardCharsets.UTF_8)));
    }

    private static String require(JsonNode event, String field, Pattern pattern) {
        String value = event.path(field).asString("");
        if (!pattern.matcher(value).matches()) {
            throw new InvalidEventException(field + " is missing or malformed");
        }
        return value;
    }
}
