package io.seatwatch.http;

import java.time.Clock;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;

/**
 * Every Seatwatch app that depends on this module: one {@link Clock} for the app's own "now" (the Date header,
 * HTTP validators, token and link expiry; tests replace it with a pinned one), and {@link DateHeaderFilter} on
 * its reactive web server, the management port included. The times of state come from Redis {@code TIME}.
 */
@AutoConfiguration
public class DateHeaderAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    DateHeaderFilter dateHeaderFilter(Clock clock) {
        return new DateHeaderFilter(clock);
    }
}
