package io.seatwatch.api.subscription;

import io.seatwatch.webhooks.WebhookAddressPolicy;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Webhook settings under {@code seatwatch.webhooks}; notifier-webhook reads the same {@code allow-http}
 * and {@code allowed-cidrs}.
 *
 * @param allowHttp accept plain {@code http} webhook URLs (development only)
 * @param allowedCidrs comma-separated CIDRs exempt from the address rules of {@link WebhookAddressPolicy}
 * @param secretKey base64 of the 32-byte AES key that encrypts signing secrets (env SEATWATCH_WEBHOOK_SECRET_KEY);
 *     required: the api refuses to start without a valid one
 * @param replaysPerHour replays of webhook deliveries one subscription may ask for per hour (then 429)
 */
@Validated
@ConfigurationProperties("seatwatch.webhooks")
public record WebhookProperties(
        @DefaultValue("false") boolean allowHttp,
        @DefaultValue("") String allowedCidrs,
        String secretKey,
        @DefaultValue("20") @Min(1) int replaysPerHour) {

    @Override
    public String toString() {
        return "WebhookProperties[allowHttp=" + allowHttp + ", allowedCidrs=" + allowedCidrs + ", secretKey=***, replaysPerHour="
                + replaysPerHour + "]";
    }
}
