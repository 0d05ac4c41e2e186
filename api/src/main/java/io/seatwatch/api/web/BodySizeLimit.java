package io.seatwatch.api.web;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses a declared body over 64 KB before reading it (after authentication, which runs first).
 * Chunked bodies are bounded by {@code spring.codec.max-in-memory-size}, which {@link ProblemHandler}
 * also answers with 413.
 */
@Component
public class BodySizeLimit implements WebFilter, Ordered {

    public static final long MAX_BYTES = 64 * 1024;

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (exchange.getRequest().getHeaders().getContentLength() > MAX_BYTES) {
            return Mono.error(new Problem(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large",
                    "Request body too large", "Request bodies are limited to " + MAX_BYTES / 1024 + " KB."));
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return 0;
    }
}
