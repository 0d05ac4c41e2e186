package io.seatwatch.api.subscription;

import io.seatwatch.api.security.Caller;
import io.seatwatch.api.web.Ids;
import io.seatwatch.api.web.Page;
import io.seatwatch.api.web.PageRequest;
import io.seatwatch.api.web.Problem;
import io.seatwatch.webhooks.DeliveryKeys;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * A subscription's webhook delivery log and replays, for the student only. Checks run in the documented
 * order: 400 (ids, eventId, paging) → 403 → 404 → 409 → 429.
 */
@RestController
@RequestMapping("/api/v1/students/{studentId}/subscriptions/{classId}/deliveries")
class DeliveryController {

    /** Index members: the creation time (16-digit micros) and the eventId. */
    private static final Pattern CURSOR = Pattern.compile("[0-9]{16}:" + DeliveryKeys.EVENT_ID.pattern());

    private final DeliveryService deliveries;

    DeliveryController(DeliveryService deliveries) {
        this.deliveries = deliveries;
    }

    @GetMapping
    Mono<Page<Delivery>> list(@PathVariable String studentId, @PathVariable String classId,
                              @RequestParam(required = false) String limit,
                              @RequestParam(required = false) String cursor, Caller caller) {
        Ids.require("studentId", studentId);
        Ids.require("classId", classId);
        PageRequest page = PageRequest.of(limit, cursor, "deliveries", CURSOR);
        requireSelf(caller, studentId);
        return deliveries.list(studentId, classId, page)
                .map(listing -> new Page<>(listing.items(), PageRequest.cursor("deliveries", listing.next())));
    }

    @PostMapping("/{eventId}/replay")
    Mono<ResponseEntity<DeliveryService.Replay>> replay(@PathVariable String studentId, @PathVariable String classId,
                                                       @PathVariable String eventId, Caller caller) {
        Ids.require("studentId", studentId);
        Ids.require("classId", classId);
        if (!DeliveryKeys.EVENT_ID.matcher(eventId).matches()) {
            throw Problem.invalidParameter("eventId", "eventId must be a lowercase UUID");
        }
        requireSelf(caller, studentId);
        return deliveries.replay(studentId, classId, eventId, caller)
                .map(replay -> ResponseEntity.status(HttpStatus.ACCEPTED).body(replay));
    }

    private static void requireSelf(Caller caller, String studentId) {
        if (!caller.isStudent(studentId)) {
            throw Problem.forbidden("Only the student may see and replay their webhook deliveries.");
        }
    }
}
