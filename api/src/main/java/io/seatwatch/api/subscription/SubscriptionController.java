package io.seatwatch.api.subscription;

import io.seatwatch.api.security.Caller;
import io.seatwatch.api.security.Role;
import io.seatwatch.api.web.Ids;
import io.seatwatch.api.web.Page;
import io.seatwatch.api.web.PageRequest;
import io.seatwatch.api.web.Problem;
import io.seatwatch.api.web.Traceparent;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * A student's subscriptions to promotion notifications. Checks run in the documented order: 400 (ids, body,
 * and the webhook host's addresses) → 403 (only the student; a registrar may list) → 404 → 429.
 */
@RestController
@RequestMapping("/api/v1/students/{studentId}/subscriptions")
class SubscriptionController {

    private static final Pattern CLASS_ID = Pattern.compile(Ids.REGEX);

    private final SubscriptionService subscriptions;
    private final WebhookUrlValidator webhookUrls;

    SubscriptionController(SubscriptionService subscriptions, WebhookUrlValidator webhookUrls) {
        this.subscriptions = subscriptions;
        this.webhookUrls = webhookUrls;
    }

    @PutMapping("/{classId}")
    Mono<ResponseEntity<Subscription>> put(@PathVariable String studentId, @PathVariable String classId,
                                           @RequestBody SubscriptionRequest body, Caller caller,
                                           ServerWebExchange exchange) {
        Ids.require("studentId", studentId);
        Ids.require("classId", classId);
        String traceparent = Traceparent.of(exchange);
        return validate(body).then(Mono.defer(() -> {
            requireSelf(caller, studentId);
            return subscriptions.put(studentId, classId, body.email(), body.webhookUrl(), caller, traceparent);
        })).map(result -> ResponseEntity.status(result.created() ? HttpStatus.CREATED : HttpStatus.OK)
                // The body may carry a signing secret: no cache keeps it.
                .cacheControl(CacheControl.noStore())
                .body(result.subscription()));
    }

    @GetMapping
    Mono<Page<Subscription>> list(@PathVariable String studentId,
                                  @RequestParam(required = false) String limit,
                                  @RequestParam(required = false) String cursor,
                                  Caller caller) {
        Ids.require("studentId", studentId);
        PageRequest page = PageRequest.of(limit, cursor, "subscriptions", CLASS_ID);
        if (!caller.isStudent(studentId) && !caller.is(Role.REGISTRAR)) {
            throw Problem.forbidden("Only the student or a registrar may list a student's subscriptions.");
        }
        return subscriptions.list(studentId, page)
                .map(listing -> new Page<>(listing.items(), PageRequest.cursor("subscriptions", listing.next())));
    }

    @DeleteMapping("/{classId}")
    Mono<ResponseEntity<Void>> delete(@PathVariable String studentId, @PathVariable String classId, Caller caller) {
        Ids.require("studentId", studentId);
        Ids.require("classId", classId);
        requireSelf(caller, studentId);
        return subscriptions.delete(studentId, classId, caller).thenReturn(ResponseEntity.noContent().build());
    }

    @PostMapping("/{classId}/webhook-secret")
    Mono<ResponseEntity<SubscriptionService.RotatedSecret>> rotateSecret(@PathVariable String studentId,
                                                                        @PathVariable String classId, Caller caller) {
        Ids.require("studentId", studentId);
        Ids.require("classId", classId);
        requireSelf(caller, studentId);
        return subscriptions.rotateSecret(studentId, classId, caller)
                .map(rotated -> ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(rotated));
    }

    private static void requireSelf(Caller caller, String studentId) {
        if (!caller.isStudent(studentId)) {
            throw Problem.forbidden("Only the student may change their subscriptions.");
        }
    }

    /**
     * 400 with every problem of the body: syntax first, then (for a well-formed URL) the addresses its host
     * resolves to, looked up off the event loop.
     */
    private Mono<Void> validate(SubscriptionRequest body) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (body.email() == null && body.webhookUrl() == null) {
            errors.add(Problem.FieldError.pointer("", "name at least one of email, webhookUrl"));
        }
        if (body.email() != null) {
            EmailAddresses.problem(body.email()).ifPresent(p -> errors.add(Problem.FieldError.pointer("/email", p)));
        }
        Mono<String> address = Mono.empty();
        if (body.webhookUrl() != null) {
            var syntax = webhookUrls.syntaxProblem(body.webhookUrl());
            syntax.ifPresent(p -> errors.add(Problem.FieldError.pointer("/webhookUrl", p)));
            if (syntax.isEmpty()) {
                address = webhookUrls.addressProblem(body.webhookUrl());
            }
        }
        return address.map(p -> Problem.FieldError.pointer("/webhookUrl", p))
                .map(List::of).defaultIfEmpty(List.of())
                .flatMap(more -> {
                    List<Problem.FieldError> all = new ArrayList<>(errors);
                    all.addAll(more);
                    if (all.isEmpty()) {
                        return Mono.empty();
                    }
                    String detail = all.stream().map(e -> (e.pointer().isEmpty() ? "body" : e.pointer()) + ": " + e.detail())
                            .collect(Collectors.joining("; "));
                    return Mono.error(Problem.badRequest(detail, all));
                });
    }
}
