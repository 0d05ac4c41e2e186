package io.seatwatch.api.waitlist;

import io.seatwatch.api.security.Caller;
import io.seatwatch.api.web.ConditionalGet;
import io.seatwatch.api.web.EntityTags;
import io.seatwatch.api.web.Ids;
import io.seatwatch.api.web.Page;
import io.seatwatch.api.web.PageRequest;
import io.seatwatch.api.web.Preconditions;
import io.seatwatch.api.web.Problem;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@RestController
@RequestMapping("/api/v1/classes/{classId}/waitlist")
class WaitlistController {

    private static final Pattern SEQUENCE = Pattern.compile("[0-9]{1,15}");

    private final WaitlistService waitlists;
    private final PositionStream stream;
    private final ConditionalGet conditionalGet;

    WaitlistController(WaitlistService waitlists, PositionStream stream, ConditionalGet conditionalGet) {
        this.waitlists = waitlists;
        this.stream = stream;
        this.conditionalGet = conditionalGet;
    }

    @GetMapping
    Mono<Page<WaitlistService.WaitlistEntry>> list(@PathVariable String classId,
                                                   @RequestParam(required = false) String limit,
                                                   @RequestParam(required = false) String cursor,
                                                   Caller caller) {
        Ids.require("classId", classId);
        PageRequest page = PageRequest.of(limit, cursor, "waitlist", SEQUENCE);
        caller.requireMayManage();
        return waitlists.list(classId, page).map(listing -> {
            caller.requireManages(listing.instructorId());
            return new Page<>(listing.items(), PageRequest.cursor("waitlist", listing.next()));
        });
    }

    @GetMapping(value = "/{studentId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<WaitlistService.Position> position(@PathVariable String classId,
                                                            @PathVariable String studentId,
                                                            Caller caller, ServerWebExchange exchange) {
        Ids.require("classId", classId);
        Ids.require("studentId", studentId);
        caller.requireMayActFor(studentId);
        ConditionalGet.Request get = conditionalGet.begin(exchange);
        return waitlists.position(classId, studentId, get.preconditions()).mapNotNull(lookup -> {
            caller.requireMayActFor(studentId, lookup.instructorId());
            if (!lookup.waitlisted()) {
                throw Problem.fromScript("waitlist-entry-not-found", null);
            }
            return get.respond(lookup.version(), lookup.changedAt(), lookup.notModified(), lookup::position,
                    HttpHeaders.ACCEPT, HttpHeaders.AUTHORIZATION);
        });
    }

    /** The live position (docs/architecture.md, "The live position"): the GET's checks, then a stream until it ends. */
    @GetMapping(value = "/{studentId}", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Mono<ResponseEntity<Flux<ServerSentEvent<Object>>>> positionStream(@PathVariable String classId,
                                                                       @PathVariable String studentId,
                                                                       Caller caller) {
        Ids.require("classId", classId);
        Ids.require("studentId", studentId);
        caller.requireMayActFor(studentId);
        return waitlists.position(classId, studentId, Preconditions.NONE).map(lookup -> {
            caller.requireMayActFor(studentId, lookup.instructorId());
            if (!lookup.waitlisted()) {
                throw Problem.fromScript("waitlist-entry-not-found", null);
            }
            return ResponseEntity.ok()
                    .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                    .varyBy(HttpHeaders.ACCEPT, HttpHeaders.AUTHORIZATION)
                    .body(stream.stream(classId, studentId, caller.expiresAt()));
        });
    }

    @DeleteMapping("/{studentId}")
    Mono<ResponseEntity<Void>> leave(@PathVariable String classId, @PathVariable String studentId,
                                     @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) List<String> ifMatch,
                                     Caller caller) {
        Ids.require("classId", classId);
        Ids.require("studentId", studentId);
        caller.requireMayActFor(studentId);
        return waitlists.leave(classId, studentId, caller, EntityTags.ifMatchArgument(ifMatch))
                .thenReturn(ResponseEntity.noContent().build());
    }
}
