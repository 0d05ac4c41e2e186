package io.seatwatch.api.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.seatwatch.api.ApiTestSupport;
import io.seatwatch.webhooks.WebhookAddressPolicy;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The api refuses to start without a usable webhook secret key, allow-list or public base URL. */
class SubscriptionConfigTest {

    @Configuration
    @EnableConfigurationProperties({WebhookProperties.class, SubscriptionProperties.class})
    @Import(SubscriptionConfig.class)
    static class Settings {}

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Settings.class);

    @Test
    void startsWithA32ByteKeyAndTheDefaults() {
        runner.withPropertyValues("seatwatch.webhooks.secret-key=" + ApiTestSupport.WEBHOOK_SECRET_KEY).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(WebhookAddressPolicy.class).allowedCidrs()).isEmpty();
            assertThat(context.getBean(WebhookProperties.class).allowHttp()).isFalse();
            assertThat(context.getBean(WebhookProperties.class).toString()).doesNotContain(ApiTestSupport.WEBHOOK_SECRET_KEY);
            SubscriptionConfig.ConfirmationLinks links = context.getBean(SubscriptionConfig.ConfirmationLinks.class);
            assertThat(links.url("tok")).isEqualTo("http://localhost:8080/api/v1/email-confirmations/tok");
            assertThat(links.ttl()).isEqualTo(Duration.ofHours(24));
        });
    }

    @Test
    void takesThePublicBaseUrlWithOrWithoutATrailingSlash() {
        runner.withPropertyValues("seatwatch.webhooks.secret-key=" + ApiTestSupport.WEBHOOK_SECRET_KEY,
                "seatwatch.public-base-url=https://seatwatch.example.edu/", "seatwatch.email-confirmation.ttl=2h").run(context ->
                assertThat(context.getBean(SubscriptionConfig.ConfirmationLinks.class).url("t"))
                        .isEqualTo("https://seatwatch.example.edu/api/v1/email-confirmations/t"));
    }

    @Test
    void refusesToStartWithoutAKey() {
        runner.run(context -> assertThat(context).hasFailed().getFailure()
                .rootCause().hasMessageContaining("No webhook secret key").hasMessageContaining("SEATWATCH_WEBHOOK_SECRET_KEY"));
        runner.withPropertyValues("seatwatch.webhooks.secret-key=  ").run(context -> assertThat(context).hasFailed());
    }

    @Test
    void refusesToStartWithAKeyThatIsNot32Bytes() {
        String short16 = Base64.getEncoder().encodeToString(new byte[16]);
        runner.withPropertyValues("seatwatch.webhooks.secret-key=" + short16).run(context -> assertThat(context)
                .hasFailed().getFailure().rootCause().hasMessageContaining("exactly 32 bytes, not 16")
                .hasMessageNotContaining(short16));
        runner.withPropertyValues("seatwatch.webhooks.secret-key=not-base64-at-all!").run(context -> assertThat(context)
                .hasFailed().getFailure().rootCause().hasMessageContaining("not valid base64"));
    }

    @Test
    void refusesToStartWithABadAllowListOrBaseUrl() {
        runner.withPropertyValues("seatwatch.webhooks.secret-key=" + ApiTestSupport.WEBHOOK_SECRET_KEY,
                "seatwatch.webhooks.allowed-cidrs=10.0.0.0/8,intranet.local/24").run(context -> assertThat(context)
                .hasFailed().getFailure().rootCause().hasMessageContaining("seatwatch.webhooks.allowed-cidrs")
                .hasMessageContaining("intranet.local/24"));
        runner.withPropertyValues("seatwatch.webhooks.secret-key=" + ApiTestSupport.WEBHOOK_SECRET_KEY,
                "seatwatch.public-base-url=seatwatch.example.edu").run(context -> assertThat(context)
                .hasFailed().getFailure().rootCause().hasMessageContaining("seatwatch.public-base-url"));
    }
}
