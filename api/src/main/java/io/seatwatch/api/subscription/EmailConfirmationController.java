package io.seatwatch.api.subscription;

import java.util.List;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.MethodNotAllowedException;
import reactor.core.publisher.Mono;

/**
 * The link a confirmation email carries: the one-time token is the only credential (no bearer token, see
 * SecurityConfig). GET (a click) and POST both consume it: 200 with the now ACTIVE email; 404
 * {@code confirmation-not-found} for an unknown, expired or used token; 410 {@code confirmation-superseded}
 * when the subscription was removed or its email changed since the link was sent. HEAD is refused (405) so
 * that link checkers cannot use up a token.
 */
@RestController
@RequestMapping("/api/v1/email-confirmations/{token}")
class EmailConfirmationController {

    private final SubscriptionService subscriptions;

    EmailConfirmationController(SubscriptionService subscriptions) {
        this.subscriptions = subscriptions;
    }

    @GetMapping
    Mono<ResponseEntity<SubscriptionService.EmailConfirmation>> confirmByLink(@PathVariable String token) {
        return confirm(token);
    }

    @PostMapping
    Mono<ResponseEntity<SubscriptionService.EmailConfirmation>> confirm(@PathVariable String token) {
        return subscriptions.confirm(token).map(c -> ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .header("Referrer-Policy", "no-referrer")
                .body(c));
    }

    @RequestMapping(method = RequestMethod.HEAD)
    Mono<Void> head() {
        return Mono.error(new MethodNotAllowedException(HttpMethod.HEAD, List.of(HttpMethod.GET, HttpMethod.POST)));
    }
}
