package io.seatwatch.notifier.webhook;

import io.seatwatch.notifier.webhook.delivery.DeliveryScheduler;
import io.seatwatch.notifier.webhook.delivery.PromotionIntake;
import io.seatwatch.notifier.webhook.delivery.RetryPolicy;
import io.seatwatch.webhooks.DeliveryKeys;
import io.seatwatch.webhooks.WebhookAddressPolicy;
import io.seatwatch.webhooks.WebhookSecretCipher;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * The notifier's beans. The {@code webhook} consumer is bound to its destination (and group) only by
 * configuration: {@code spring.cloud.stream.bindings.webhook-in-0.*}. Bad settings stop the app at startup.
 */
@Configuration
class NotifierConfiguration {

    static final String KEY_HELP = "SEATWATCH_WEBHOOK_SECRET_KEY (seatwatch.webhooks.secret-key) must be the api's key: "
            + "base64 of 32 random bytes";

    @Bean
    Consumer<Message<byte[]>> webhook(PromotionIntake intake) {
        return intake::accept;
    }

    @Bean
    WebhookSecretCipher webhookSecretCipher(WebhookNotifierProperties properties) {
        return WebhookSecretCipher.fromSetting(properties.secretKey(), KEY_HELP);
    }

    @Bean
    WebhookAddressPolicy webhookAddressPolicy(WebhookNotifierProperties properties) {
        return WebhookAddressPolicy.fromSetting(properties.allowedCidrs());
    }

    @Bean
    RetryPolicy retryPolicy(WebhookNotifierProperties properties) {
        // An attempt lasts at most the wait for the status plus the wait for the body.
        if (properties.leaseTtl().compareTo(properties.attemptTimeout().plus(properties.bodyTimeout())) <= 0) {
            throw new IllegalStateException("seatwatch.webhooks.lease-ttl (" + properties.leaseTtl()
                    + ") must be longer than seatwatch.webhooks.attempt-timeout (" + properties.attemptTimeout()
                    + ") plus body-timeout (" + properties.bodyTimeout() + "), about twice as long");
        }
        if (!positive(properties.connectTimeout()) || !positive(properties.attemptTimeout())
                || !positive(properties.bodyTimeout()) || !positive(properties.poolMaxIdleTime())) {
            throw new IllegalStateException("seatwatch.webhooks.connect-timeout, attempt-timeout, body-timeout and "
                    + "pool-max-idle-time must be positive");
        }
        if (properties.lateResponseWindow().isNegative()) {
            throw new IllegalStateException("seatwatch.webhooks.late-response-window must not be negative");
        }
        try {
            return new RetryPolicy(properties.retrySchedule(), properties.retryJitter(), properties.retryAfterMax(),
                    () -> ThreadLocalRandom.current().nextLong());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("seatwatch.webhooks.retry-schedule / retry-jitter: " + e.getMessage());
        }
    }

    private static boolean positive(Duration duration) {
        return !duration.isZero() && !duration.isNegative();
    }

    /** The same prefix as the api's: the notifier reads its subscriptions and shares the delivery keys. */
    @Bean
    DeliveryKeys deliveryKeys(@Value("${seatwatch.redis.key-prefix:sw:v1:}") String prefix) {
        return new DeliveryKeys(prefix);
    }

    /** Part of readiness: this replica runs due deliveries. */
    @Bean
    HealthIndicator deliveries(DeliveryScheduler scheduler) {
        return () -> (scheduler.isRunning() ? Health.up() : Health.down())
                .withDetail("replica", scheduler.owner())
                .withDetail("inFlight", scheduler.inFlight())
                .build();
    }
}
