package io.seatwatch.notifier.webhook.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Our signatures against the reference implementation, com.standardwebhooks:standardwebhooks. */
class WebhookSignerTest {

    static final String CURRENT = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String PREVIOUS = "whsec_aW50ZXJlc3RpbmctcHJldmlvdXMtc2VjcmV0LTMyYg==";
    static final String ID = "3f2b4c8e-1d2a-4b5c-9d8e-7f6a5b4c3d2e";
    static final String BODY = "{\"type\":\"enrollment.promoted\",\"timestamp\":\"2026-11-30T08:00:00Z\",\"data\":{\"title\":\"Algèbre\"}}";

    private static Map<String, List<String>> headers(long timestamp, String signature) {
        return Map.of("webhook-id", List.of(ID), "webhook-timestamp", List.of(Long.toString(timestamp)),
                "webhook-signature", List.of(signature));
    }

    @Test
    void theSignatureIsTheReferenceImplementationsAndVerifies() throws Exception {
        long now = Instant.now().getEpochSecond();
        String ours = WebhookSigner.signatures(List.of(CURRENT), ID, now, BODY.getBytes(StandardCharsets.UTF_8));
        assertThat(ours).isEqualTo(new Webhook(CURRENT).sign(ID, now, BODY));
        new Webhook(CURRENT).verify(BODY, headers(now, ours));
    }

    @Test
    void aTamperedBodyIdOrTimestampFailsVerification() {
        long now = Instant.now().getEpochSecond();
        String ours = WebhookSigner.signatures(List.of(CURRENT), ID, now, BODY.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> new Webhook(CURRENT).verify(BODY.replace("Algèbre", "Algebra"), headers(now, ours)))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> new Webhook(CURRENT).verify(BODY, headers(now + 1, ours)))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> new Webhook(PREVIOUS).verify(BODY, headers(now, ours)))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void duringARotationBothSecretsSignSpaceSeparated() throws Exception {
        long now = Instant.now().getEpochSecond();
        String both = WebhookSigner.signatures(List.of(CURRENT, PREVIOUS), ID, now, BODY.getBytes(StandardCharsets.UTF_8));
        assertThat(both.split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
        new Webhook(CURRENT).verify(BODY, headers(now, both));
        new Webhook(PREVIOUS).verify(BODY, headers(now, both));
        assertThatThrownBy(() -> new Webhook("whsec_" + "A".repeat(44)).verify(BODY, headers(now, both)))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void aSecretThatIsNotBase64IsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> WebhookSigner.signatures(List.of("whsec_%%%secret%%%"), ID, 1, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("secret%");
    }
}
