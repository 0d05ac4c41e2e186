package io.seatwatch.api.web.openapi;

import io.seatwatch.api.security.Caller;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document ({@code /v3/api-docs}, {@code /v3/api-docs.yaml}) and Swagger UI
 * ({@code /swagger-ui.html}), served by springdoc on the public port and readable without a token (see
 * security.SecurityConfig). {@code springdoc.api-docs.enabled=false} switches both off,
 * {@code springdoc.swagger-ui.enabled=false} the UI only.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "springdoc.api-docs.enabled", matchIfMissing = true)
class OpenApiConfig {

    static {
        // The authenticated caller is resolved from the token (CallerArgumentResolver), not sent as a parameter.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
    }

    /**
     * @param version the build's version; application.yml gets the Maven project version when resources are
     *                processed, and a run without that step shows the unfiltered placeholder as "development"
     */
    @Bean
    SeatwatchOpenApi seatwatchOpenApi(@Value("${seatwatch.openapi.version:development}") String version) {
        return new SeatwatchOpenApi(version.startsWith("@") ? "development" : version);
    }
}
