package io.seatwatch.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class WebhookSecretCipherTest {

    /** Base64 of the 32 bytes "seatwatch-test-webhook-key-32byt". */
    private static final String KEY = "c2VhdHdhdGNoLXRlc3Qtd2ViaG9vay1rZXktMzJieXQ=";

    private final WebhookSecretCipher cipher = WebhookSecretCipher.fromBase64Key(KEY);

    @Test
    void secretsAreWhsecAndBase64Of32RandomBytes() {
        String a = cipher.newSecret();
        String b = cipher.newSecret();
        assertThat(a).startsWith("whsec_").isNotEqualTo(b);
        assertThat(Base64.getDecoder().decode(a.substring(6))).hasSize(32);
    }

    @Test
    void sealsWithARandomIvAndOpensOnlyForTheSameSubscriptionAndKey() {
        String secret = cipher.newSecret();
        String sealed = cipher.encrypt(secret, "s1", "c1");
        String again = cipher.encrypt(secret, "s1", "c1");
        assertThat(sealed).isNotEqualTo(again).doesNotContain(secret).doesNotContain(secret.substring(6));
        // iv (12) || ciphertext (same length as the 50-byte secret) || tag (16)
        assertThat(Base64.getDecoder().decode(sealed)).hasSize(12 + secret.length() + 16);
        assertThat(cipher.decrypt(sealed, "s1", "c1")).isEqualTo(secret);
        assertThat(cipher.decrypt(again, "s1", "c1")).isEqualTo(secret);

        assertThatThrownBy(() -> cipher.decrypt(sealed, "s2", "c1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(secret);
        assertThatThrownBy(() -> cipher.decrypt(sealed, "s1", "c2")).isInstanceOf(IllegalArgumentException.class);
        WebhookSecretCipher otherKey = WebhookSecretCipher.fromBase64Key(Base64.getEncoder().encodeToString(new byte[32]));
        assertThatThrownBy(() -> otherKey.decrypt(sealed, "s1", "c1")).isInstanceOf(IllegalArgumentException.class);

        byte[] tampered = Base64.getDecoder().decode(sealed);
        tampered[20] ^= 1;
        assertThatThrownBy(() -> cipher.decrypt(Base64.getEncoder().encodeToString(tampered), "s1", "c1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cipher.decrypt("not base64!", "s1", "c1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cipher.decrypt("AAAA", "s1", "c1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesKeysThatAreNot32BytesOfBase64AndNeverShowsTheKey() {
        String short16 = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> WebhookSecretCipher.fromBase64Key(short16))
                .hasMessageContaining("exactly 32 bytes, not 16").hasMessageNotContaining(short16);
        assertThatThrownBy(() -> WebhookSecretCipher.fromBase64Key(Base64.getEncoder().encodeToString(new byte[33])))
                .hasMessageContaining("not 33");
        assertThatThrownBy(() -> WebhookSecretCipher.fromBase64Key("%%%not-base64%%%")).hasMessageContaining("not valid base64");
        assertThat(WebhookSecretCipher.fromBase64Key(" " + KEY + "\n")).isNotNull();
        assertThat(cipher.toString()).doesNotContain(KEY);
    }

    @Test
    void fromSettingExplainsAMissingOrBadKeyAtStartup() {
        assertThat(WebhookSecretCipher.fromSetting(KEY, "help")).isNotNull();
        assertThatThrownBy(() -> WebhookSecretCipher.fromSetting(" ", "see the README")).isInstanceOf(IllegalStateException.class)
                .hasMessage("No webhook secret key: see the README");
        assertThatThrownBy(() -> WebhookSecretCipher.fromSetting("c2hvcnQ=", "see the README"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("exactly 32 bytes, not 5")
                .hasMessageEndingWith("see the README");
    }
}
