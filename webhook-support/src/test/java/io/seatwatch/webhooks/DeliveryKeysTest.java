package io.seatwatch.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The key names both apps use; the Lua scripts derive the same ones (docs/redis-keys.md). */
class DeliveryKeysTest {

    private final DeliveryKeys keys = new DeliveryKeys("sw:v1:");

    @Test
    void namesEveryDeliveryKeyUnderThePrefix() {
        String id = "3f2b4c8e-1d2a-4b5c-9d8e-7f6a5b4c3d2e";
        assertThat(keys.due()).isEqualTo("sw:v1:webhook:due");
        assertThat(keys.delivery(id)).isEqualTo("sw:v1:webhook:delivery:" + id);
        assertThat(keys.attempts(id)).isEqualTo("sw:v1:webhook:delivery:" + id + ":attempts");
        assertThat(keys.deliveries("s1", "c1")).isEqualTo("sw:v1:webhook:deliveries:s1:c1");
        assertThat(keys.replays("s1", "c1")).isEqualTo("sw:v1:webhook:replays:s1:c1");
        assertThat(keys.sending(id)).isEqualTo("sw:v1:webhook:sending:" + id);
        assertThat(keys.subscription("s1", "c1")).isEqualTo("sw:v1:subscription:s1:c1");
        // SHA-1 of the URL in hex, as Lua's redis.sha1hex computes it.
        assertThat(keys.done(id, "abc")).isEqualTo("sw:v1:webhook:done:" + id + ":a9993e364706816aba3e25717850c26c9cd0d89d");
        assertThat(DeliveryKeys.EVENT_ID.matcher(id).matches()).isTrue();
        assertThat(DeliveryKeys.EVENT_ID.matcher(id.toUpperCase()).matches()).isFalse();
        assertThatThrownBy(() -> new DeliveryKeys(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
