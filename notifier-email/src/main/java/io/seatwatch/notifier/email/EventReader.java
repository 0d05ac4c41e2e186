package io.seatwatch.notifier.email;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads an event message into an {@link EmailEvent}. The type comes from the {@code eventType} header (the
 * routing key) or, failing that, the body's {@code type}; types this app does not mail give an empty
 * result. A message that cannot be read (not JSON, a required field missing, another schema version) is a
 * {@link PermanentEmailFailure}: retrying cannot fix it.
 */
@Component
class EventReader {

    static final String EVENT_TYPE = "eventType";
    static final String SCHEMA_VERSION = "schemaVersion";
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final JsonMapper json;

    EventReader(JsonMapper json) {
        this.json = json;
    }

    Optional<EmailEvent> read(Message<byte[]> message) {
        Object version = message.getHeaders().get(SCHEMA_VERSION);
        if (version != null && !"1".equals(version.toString())) {
            throw new PermanentEmailFailure("Unsupported schemaVersion " + version);
        }
        JsonNode body;
        try {
            body = json.readTree(message.getPayload());
        } catch (JacksonException e) {
            throw new PermanentEmailFailure("The event body is not JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) {
            throw new PermanentEmailFailure("The event body is not a JSON object");
        }
        Object header = message.getHeaders().get(EVENT_TYPE);
        String type = header != null ? header.toString() : body.path("type").asString("");
        if (body.has("type") && !body.path("type").asString("").equals(type)) {
            throw new PermanentEmailFailure("The eventType header " + type + " and the body's type "
                    + body.path("type").asString("") + " disagree");
        }
        return Optional.ofNullable(switch (type) {
            case EmailEvent.Promotion.TYPE -> promotion(body);
            case EmailEvent.Confirmation.TYPE -> confirmation(body);
            default -> null;
        });
    }

    private EmailEvent.Promotion promotion(JsonNode body) {
        Fields f = new Fields(body, EmailEvent.Promotion.TYPE);
        return new EmailEvent.Promotion(f.eventId(), f.required("sequence").asLong(), f.instant("occurredAt"),
                f.text("classId"), f.text("department"), f.text("courseCode"), f.text("section"), f.text("title"),
                f.text("studentId"), f.text("cause"), f.optional("email"));
    }

    private EmailEvent.Confirmation confirmation(JsonNode body) {
        Fields f = new Fields(body, EmailEvent.Confirmation.TYPE);
        return new EmailEvent.Confirmation(f.eventId(), f.instant("occurredAt"), f.text("classId"),
                f.optional("department"), f.optional("courseCode"), f.optional("section"), f.optional("title"),
                f.text("studentId"), f.text("email"), f.uri("confirmationUrl"), f.instant("expiresAt"));
    }

    /** Field access that names the field and the event type in its failures. */
    private record Fields(JsonNode body, String type) {

        JsonNode required(String field) {
            JsonNode node = body.get(field);
            if (node == null || node.isNull()) {
                throw new PermanentEmailFailure(type + " event without " + field);
            }
            return node;
        }

        String text(String field) {
            JsonNode node = required(field);
            if (!node.isString() || node.asString().isBlank()) {
                throw new PermanentEmailFailure(type + " event: " + field + " is not a non-empty string");
            }
            return node.asString();
        }

        String optional(String field) {
            JsonNode node = body.get(field);
            return node == null || node.isNull() || node.asString("").isBlank() ? null : node.asString();
        }

        String eventId() {
            String id = text("eventId");
            if (!UUID.matcher(id).matches()) {
                throw new PermanentEmailFailure(type + " event: eventId is not a lower-case UUID");
            }
            return id;
        }

        Instant instant(String field) {
            try {
                return Instant.parse(text(field));
            } catch (DateTimeParseException e) {
                throw new PermanentEmailFailure(type + " event: " + field + " is not an ISO-8601 instant");
            }
        }

        URI uri(String field) {
            try {
                return new URI(text(field));
            } catch (URISyntaxException e) {
                throw new PermanentEmailFailure(type + " event: " + field + " is not a URI");
            }
        }
    }
}
