package io.seatwatch.api.subscription;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Subscription settings that live directly under {@code seatwatch.*}.
 *
 * @param publicBaseUrl where users reach this api: the start of the email confirmation links
 * @param emailConfirmation how long a confirmation link stays valid
 */
@ConfigurationProperties("seatwatch")
public record SubscriptionProperties(
        @DefaultValue("http://localhost:8080") String publicBaseUrl,
        @DefaultValue EmailConfirmation emailConfirmation) {

    /** @param ttl lifetime of a one-time confirmation token */
    public record EmailConfirmation(@DefaultValue("24h") Duration ttl) {}
}
