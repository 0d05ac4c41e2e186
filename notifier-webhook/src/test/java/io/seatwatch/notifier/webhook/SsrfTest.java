package io.seatwatch.notifier.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The SSRF guard with an empty allow-list: local, private and metadata addresses are refused before anything
 * is dialed — logged, dead-lettered, never attempted — and the local receiver sees nothing.
 */
@TestPropertySource(properties = {
        "seatwatch.redis.key-prefix=sw:v1:test:webhook-ssrf:",
        "seatwatch.webhooks.allowed-cidrs="})
class SsrfTest extends NotifierTestSupport {

    @Test
    void localPrivateAndMetadataAddressesAreRefusedAndNeverDialed() {
        int port = receiver.port();
        Map<String, String> urls = Map.of(
                "http://127.0.0.1:" + port + "/hook", "resolves to 127.0.0.1, a loopback address",
                "http://localhost:" + port + "/hook", "a loopback address",
                "http://169.254.169.254/latest/meta-data/", "a link-local or cloud metadata address",
                "http://10.0.0.1/hook", "a private address (10.0.0.0/8)",
                "http://[::1]:" + port + "/hook", "the IPv6 loopback address",
                "http://[::ffff:127.0.0.1]:" + port + "/hook", "a loopback address (127.0.0.0/8)",
                // A DNS name whose answer is private (the rebinding case): refused by what it resolves to.
                "http://internal.seatwatch.test:" + port + "/hook", "resolves to 10.1.2.3, a private address");
        List<Promoted> promoted = new ArrayList<>();
        urls.keySet().forEach(url -> promoted.add(promote(url)));

        for (Promoted p : promoted) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(status(p.eventId())).isEqualTo("REFUSED"));
            List<JsonNode> attempts = attempts(p.eventId());
            assertThat(attempts).hasSize(1);
            JsonNode refused = attempts.get(0);
            assertThat(refused.path("outcome").asString()).isEqualTo("REFUSED");
            assertThat(refused.has("statusCode")).isFalse();
            assertThat(refused.path("error").asString()).contains("webhooks must reach a public address")
                    .contains(urls.get((String) p.event().get("webhookUrl")));
        }
        List<String> deadLettered = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Message m;
            while ((m = broker().receive(DLQ)) != null) {
                assertThat(TestBroker.headers(m)).containsEntry("webhookStatus", "REFUSED");
                deadLettered.add((String) TestBroker.headers(m).get("eventId"));
            }
            return deadLettered.size() >= promoted.size();
        });
        assertThat(deadLettered).containsExactlyInAnyOrderElementsOf(promoted.stream().map(Promoted::eventId).toList());
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> receiver.count() == 0);
        for (Promoted p : promoted) {
            assertThat(isDue(p.eventId())).isFalse();
            assertThat(subscription(p.studentId(), p.classId())).containsEntry("webhookStatus", "ACTIVE");
        }
    }
}
