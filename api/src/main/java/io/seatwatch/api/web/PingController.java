package io.seatwatch.api.web;

import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The cheapest authenticated request: the baseline of the HTTP benchmarks. It touches no Redis. */
@RestController
class PingController {

    private static final Mono<Map<String, Boolean>> OK = Mono.just(Map.of("ok", true));

    @GetMapping("/api/v1/ping")
    Mono<Map<String, Boolean>> ping() {
        return OK;
    }
}
