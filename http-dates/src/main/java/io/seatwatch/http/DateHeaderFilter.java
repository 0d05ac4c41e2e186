package io.seatwatch.http;

import java.time.Clock;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Gives every response a {@code Date} (IMF-fixdate, from the app's clock) unless a handler set one: Reactor Netty
 * sends none, and RFC 9110 asks an origin server with a clock for one on every 2xx, 3xx and 4xx answer.
 */
public final class DateHeaderFilter implements WebFilter, Ordered {

    private final Clock clock;

    public DateHeaderFilter(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        var response = exchange.getResponse();
        response.beforeCommit(() -> {
            HttpHeaders headers = response.getHeaders();
            if (!headers.containsHeader(HttpHeaders.DATE)) {
                headers.set(HttpHeaders.DATE, HttpDates.format(clock.instant()));
            }
            return Mono.empty();
        });
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
