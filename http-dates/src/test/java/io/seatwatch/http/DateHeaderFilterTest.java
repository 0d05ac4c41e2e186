package io.seatwatch.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

class DateHeaderFilterTest {

    private static MockServerWebExchange answer(DateHeaderFilter filter, String handlerDate) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/anything"));
        filter.filter(exchange, e -> {
            if (handlerDate != null) {
                e.getResponse().getHeaders().set(HttpHeaders.DATE, handlerDate);
            }
            return e.getResponse().setComplete();
        }).block();
        return exchange;
    }

    @Test
    void addsTheClocksDateToAResponseWithout() {
        Clock ninth = Clock.fixed(Instant.parse("2026-12-09T08:07:06.543Z"), ZoneOffset.UTC);
        assertThat(answer(new DateHeaderFilter(ninth), null).getResponse().getHeaders().getFirst(HttpHeaders.DATE))
                .isEqualTo("Wed, 09 Dec 2026 08:07:06 GMT");
    }

    @Test
    void keepsTheDateAHandlerSet() {
        Clock clock = Clock.fixed(Instant.parse("2027-01-01T00:00:00Z"), ZoneOffset.UTC);
        assertThat(answer(new DateHeaderFilter(clock), "Thu, 31 Dec 2026 23:59:59 GMT").getResponse().getHeaders()
                .get(HttpHeaders.DATE)).containsExactly("Thu, 31 Dec 2026 23:59:59 GMT");
    }

    @Test
    void runsBeforeEveryOtherFilter() {
        assertThat(new DateHeaderFilter(Clock.systemUTC()).getOrder()).isEqualTo(Integer.MIN_VALUE);
    }
}
