package io.seatwatch.api.subscription;

import io.seatwatch.webhooks.WebhookAddressPolicy;
import io.seatwatch.webhooks.WebhookSecretCipher;
import java.net.URI;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Checks the subscription settings at startup: the api refuses to start with a missing or bad one. */
@Configuration
class SubscriptionConfig {

    static final String KEY_HELP = "SEATWATCH_WEBHOOK_SECRET_KEY (seatwatch.webhooks.secret-key) must be base64 of 32 "
            + "random bytes, e.g. `openssl rand -base64 32`; `./seatwatch up` creates one in .seatwatch/webhook-secret-key";

    @Bean
    WebhookSecretCipher webhookSecretCipher(WebhookProperties properties) {
        return WebhookSecretCipher.fromSetting(properties.secretKey(), KEY_HELP);
    }

    @Bean
    WebhookAddressPolicy webhookAddressPolicy(WebhookProperties properties) {
        return WebhookAddressPolicy.fromSetting(properties.allowedCidrs());
    }

    /** The confirmation links' base: an absolute http(s) URL, kept without a trailing slash. */
    @Bean
    ConfirmationLinks confirmationLinks(SubscriptionProperties properties) {
        String base = properties.publicBaseUrl() == null ? "" : properties.publicBaseUrl().strip();
        URI uri;
        try {
            uri = URI.create(base);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalStateException("seatwatch.public-base-url must be an absolute http(s) URL without query"
                    + " or fragment, such as https://seatwatch.example.edu; got '" + base + "'");
        }
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        if (properties.emailConfirmation().ttl().toMillis() < 1) {
            throw new IllegalStateException("seatwatch.email-confirmation.ttl must be positive");
        }
        return new ConfirmationLinks(base + "/api/v1/email-confirmations/", properties.emailConfirmation().ttl());
    }

    /** @param prefix the confirmation URL without its token */
    record ConfirmationLinks(String prefix, java.time.Duration ttl) {
        String url(String token) {
            return prefix + token;
        }
    }
}
