package io.seatwatch.notifier.email;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import tools.jackson.databind.json.JsonMapper;

/**
 * Test events as the api's relay publishes them (docs/events): the body, checked against its JSON
 * Schema, and the headers eventType, eventId (also the AMQP message-id), schemaVersion, contentType and
 * traceparent, with routing key = type.
 */
final class Events {

    static final String EXCHANGE = "seatwatch.events";
    static final String PROMOTED = "EnrollmentPromoted";
    static final String CONFIRMATION = "EmailConfirmationRequested";
    static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Map<String, Schema> SCHEMAS = Map.of(
            PROMOTED, schema("enrollment-promoted.v1.schema.json"),
            CONFIRMATION, schema("email-confirmation-requested.v1.schema.json"));

    private Events() {}

    static String newId() {
        return UUID.randomUUID().toString();
    }

    /** An EnrollmentPromoted event; {@code email} null means the student has no ACTIVE email. */
    static Map<String, Object> promotion(String eventId, String studentId, String email) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", PROMOTED);
        event.put("eventId", eventId);
        event.put("sequence", 7);
        event.put("occurredAt", "2026-03-02T17:05:09.123456Z");
        putClass(event);
        event.put("studentId", studentId);
        event.put("cause", "STUDENT_DROP");
        if (email != null) {
            event.put("email", email);
        }
        event.put("traceparent", TRACEPARENT);
        return event;
    }

    static Map<String, Object> confirmation(String eventId, String studentId, String email, String url) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", CONFIRMATION);
        event.put("eventId", eventId);
        event.put("occurredAt", "2026-03-02T17:05:09Z");
        putClass(event);
        event.put("studentId", studentId);
        event.put("email", email);
        event.put("confirmationUrl", url);
        event.put("expiresAt", java.time.Instant.now().plus(java.time.Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        return event;
    }

    /** The class every test event is about: CPSC 449-01 Back-end Engineering. */
    private static void putClass(Map<String, Object> event) {
        event.put("classId", "c0ffee12ab34");
        event.put("department", "CPSC");
        event.put("courseCode", "449");
        event.put("section", "01");
        event.put("title", "Back-end Engineering");
    }

    static byte[] body(Map<String, Object> event) {
        byte[] body = JSON.writeValueAsBytes(event);
        Schema schema = SCHEMAS.get((String) event.get("type"));
        assertThat(schema.validate(JSON.readTree(body))).as("test event matches its schema").isEmpty();
        return body;
    }

    /** A Spring message with the relay's headers (for the test binder). */
    static Message<byte[]> message(Map<String, Object> event) {
        MessageBuilder<byte[]> message = MessageBuilder.withPayload(body(event))
                .setHeader("contentType", "application/json")
                .setHeader("eventType", event.get("type"))
                .setHeader("eventId", event.get("eventId"))
                .setHeader("schemaVersion", "1");
        if (event.containsKey("traceparent")) {
            message.setHeader("traceparent", event.get("traceparent"));
        }
        return message.build();
    }

    /** Publishes like the relay: the event's exchange, routing key = type, persistent, the relay's headers. */
    static void publish(RabbitTemplate rabbit, String exchange, Map<String, Object> event) {
        publishRaw(rabbit, exchange, (String) event.get("type"), (String) event.get("eventId"), body(event));
    }

    static void publishRaw(RabbitTemplate rabbit, String exchange, String type, String eventId, byte[] body) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType("application/json");
        properties.setMessageId(eventId);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setHeader("eventType", type);
        properties.setHeader("eventId", eventId);
        properties.setHeader("schemaVersion", "1");
        properties.setHeader("traceparent", TRACEPARENT);
        rabbit.send(exchange, type, new org.springframework.amqp.core.Message(body, properties));
    }

    private static Schema schema(String file) {
        try {
            String text = Files.readString(Path.of("..", "docs", "events", file));
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
