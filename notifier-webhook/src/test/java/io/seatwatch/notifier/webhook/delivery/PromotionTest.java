package io.seatwatch.notifier.webhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class PromotionTest {

    private final JsonMapper json = JsonMapper.builder().build();

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theWebhookBodyCarriesTheEventWithoutChannelsOrTraceContext() {
        String event = "{\"type\":\"EnrollmentPromoted\",\"eventId\":\"3f2b4c8e-1d2a-4b5c-9d8e-7f6a5b4c3d2e\",\"sequence\":12,"
                + "\"occurredAt\":\"2026-11-30T08:00:00.123456Z\",\"classId\":\"c1\",\"department\":\"CPSC\",\"courseCode\":\"449\","
                + "\"section\":\"01\",\"title\":\"Back-end\",\"studentId\":\"s1\",\"cause\":\"UNFREEZE\",\"email\":\"a@b.example\","
                + "\"webhookUrl\":\"https://hooks.example.edu/x\",\"traceparent\":\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"}";
        Promotion p = Promotion.parse(bytes(event), json).orElseThrow();
        assertThat(p.eventId()).isEqualTo("3f2b4c8e-1d2a-4b5c-9d8e-7f6a5b4c3d2e");
        assertThat(p.webhookUrl()).isEqualTo("https://hooks.example.edu/x");
        assertThat(p.event()).isEqualTo(event);
        assertThat(p.webhookBody()).isEqualTo("{\"type\":\"enrollment.promoted\",\"timestamp\":\"2026-11-30T08:00:00.123456Z\","
                + "\"data\":{\"eventId\":\"3f2b4c8e-1d2a-4b5c-9d8e-7f6a5b4c3d2e\",\"sequence\":12,\"occurredAt\":\"2026-11-30T08:00:00.123456Z\","
                + "\"classId\":\"c1\",\"department\":\"CPSC\",\"courseCode\":\"449\",\"section\":\"01\",\"title\":\"Back-end\","
                + "\"studentId\":\"s1\",\"cause\":\"UNFREEZE\"}}");
    }

    @Test
    void otherEventsAndPromotionsWithoutWebhookAreNothingToDeliver() {
        assertThat(Promotion.parse(bytes("{\"type\":\"EmailConfirmationRequested\"}"), json)).isEmpty();
        assertThat(Promotion.parse(bytes("{\"type\":\"EnrollmentPromoted\",\"eventId\":\"3f2b4c8e-1d2a-4b5c-9d8e-7f6a5b4c3d2e\","
                + "\"occurredAt\":\"2026-11-30T08:00:00Z\",\"classId\":\"c1\",\"studentId\":\"s1\"}"), json)).isEmpty();
    }

    @Test
    void malformedEventsAreInvalid() {
        assertThatThrownBy(() -> Promotion.parse(bytes("not json"), json)).isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> Promotion.parse(bytes("[1]"), json)).isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> Promotion.parse(bytes("{\"type\":\"EnrollmentPromoted\",\"eventId\":\"x\"}"), json))
                .hasMessage("eventId is missing or malformed");
        assertThatThrownBy(() -> Promotion.parse(bytes("{\"type\":\"EnrollmentPromoted\",\"eventId\":\"3f2b4c8e-1d2a-4b5c-9d8e-7f6a5b4c3d2e\","
                + "\"occurredAt\":\"2026-11-30T08:00:00Z\",\"classId\":\"c1\",\"studentId\":\"../etc\"}"), json))
                .hasMessage("studentId is missing or malformed");
    }
}
