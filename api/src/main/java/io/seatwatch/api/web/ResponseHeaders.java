package io.seatwatch.api.web;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/** Adds {@code Date} to every response: Reactor Netty sends none, and RFC 9110 asks an origin server for one. */
@Component
public class ResponseHeaders implements WebFilter, Ordered {

    private final Clock clock = Clock.systemUTC();

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        var response = exchange.getResponse();
        response.beforeCommit(() -> {
            HttpHeaders headers = response.getHeaders();
            if (!headers.containsHeader(HttpHeaders.DATE)) {
                headers.set(HttpHeaders.DATE,
                        DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(clock)));
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
