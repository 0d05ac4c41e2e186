package io.seatwatch.api.web;

import io.seatwatch.api.security.CallerArgumentResolver;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;

@Configuration
class WebConfig implements WebFluxConfigurer {

    private final CallerArgumentResolver callerResolver;

    WebConfig(CallerArgumentResolver callerResolver) {
        this.callerResolver = callerResolver;
    }

    @Override
    public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
        configurer.addCustomResolver(callerResolver);
    }
}
