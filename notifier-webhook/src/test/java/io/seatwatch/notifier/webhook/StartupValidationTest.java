package io.seatwatch.notifier.webhook;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** Bad settings stop the app before it consumes anything. */
class StartupValidationTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "seatwatch.webhooks.secret-key=                                | No webhook secret key",
            "seatwatch.webhooks.secret-key=c2hvcnQ=                        | exactly 32 bytes, not 5",
            "seatwatch.webhooks.allowed-cidrs=10.0.0.0/33                  | seatwatch.webhooks.allowed-cidrs",
            "seatwatch.webhooks.retry-schedule=5s,0s                       | positive durations",
            "seatwatch.webhooks.lease-ttl=10s                              | must be longer than seatwatch.webhooks.attempt-timeout",
            "seatwatch.webhooks.lease-ttl=16s                              | plus body-timeout",
            "seatwatch.webhooks.transport=kqueue                           | seatwatch.webhooks.transport"})
    void aBadSettingStopsTheApp(String setting, String message) {
        // The bad setting, and a valid key unless the key is what is bad.
        String other = setting.startsWith("seatwatch.webhooks.secret-key=") ? "server.shutdown=immediate"
                : "seatwatch.webhooks.secret-key=" + NotifierTestSupport.KEY;
        assertThatThrownBy(() -> new SpringApplicationBuilder(NotifierWebhookApplication.class)
                .registerShutdownHook(false)
                .run("--server.port=0", "--" + other, "--" + setting.strip(),
                        "--spring.cloud.stream.bindings.webhook-in-0.destination=never.used"))
                .hasStackTraceContaining(message.strip());
    }
}
