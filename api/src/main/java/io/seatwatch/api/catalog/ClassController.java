package io.seatwatch.api.catalog;

import io.seatwatch.api.security.Caller;
import io.seatwatch.api.security.Role;
import io.seatwatch.api.web.ConditionalGet;
import io.seatwatch.api.web.EntityTags;
import io.seatwatch.api.web.Ids;
import io.seatwatch.api.web.Page;
import io.seatwatch.api.web.PageRequest;
import io.seatwatch.api.web.Problem;
import io.seatwatch.api.web.Traceparent;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

@RestController
@RequestMapping("/api/v1/classes")
class ClassController {

    /** Catalog cursors are sort keys: the case-folded texts and the id, separated by U+001F. */
    private static final Pattern SORT_KEY = Pattern.compile("[^\\u0000-\\u001e]+");

    private final CatalogService catalog;
    private final ConditionalGet conditionalGet;

    ClassController(CatalogService catalog, ConditionalGet conditionalGet) {
        this.catalog = catalog;
        this.conditionalGet = conditionalGet;
    }

    @PostMapping
    Mono<ResponseEntity<CourseClass>> create(@Valid @RequestBody CreateClassRequest body, Caller caller) {
        caller.require(Role.REGISTRAR);
        return catalog.create(body, caller).map(c -> ResponseEntity
                .created(URI.create("/api/v1/classes/" + c.id()))
                .eTag(EntityTags.header(c.etag()))
                .body(c));
    }

    @GetMapping
    Mono<Page<CourseClass>> list(@RequestParam(required = false) String limit,
                                                 @RequestParam(required = false) String cursor,
                                                 @RequestParam(required = false) String available,
                                                 ServerWebExchange exchange) {
        if (available != null && !available.equals("true") && !available.equals("false")) {
            throw Problem.invalidParameter("available", "available must be true or false");
        }
        PageRequest page = PageRequest.of(limit, cursor, "classes", SORT_KEY);
        ConditionalGet.Request get = conditionalGet.begin(exchange);
        return catalog.list(page, "true".equals(available), get.preconditions())
                .mapNotNull(read -> get.respond(read.version(), read.changedAt(), read.notModified(),
                        () -> new Page<>(read.value().items(), PageRequest.cursor("classes", read.value().next()))));
    }

    @GetMapping("/{classId}")
    Mono<CourseClass> get(@PathVariable String classId, ServerWebExchange exchange) {
        Ids.require("classId", classId);
        ConditionalGet.Request get = conditionalGet.begin(exchange);
        return catalog.get(classId, get.preconditions())
                .mapNotNull(read -> get.respond(read.version(), read.changedAt(), read.notModified(), read::value));
    }

    @PatchMapping("/{classId}")
    Mono<ResponseEntity<CourseClass>> update(@PathVariable String classId,
                                             @Valid @RequestBody UpdateClassRequest body,
                                             @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) List<String> ifMatch,
                                             Caller caller, ServerWebExchange exchange) {
        Ids.require("classId", classId);
        if (body.empty()) {
            throw Problem.badRequest("Name at least one of instructorId, capacity, waitlistCapacity, autoEnrollmentFrozen.",
                    List.of(Problem.FieldError.pointer("", "no field to change")));
        }
        caller.require(Role.REGISTRAR);
        return catalog.update(classId, body, caller, EntityTags.ifMatchArgument(ifMatch), Traceparent.of(exchange))
                .map(c -> ResponseEntity.ok().eTag(EntityTags.header(c.etag())).body(c));
    }

    @DeleteMapping("/{classId}")
    Mono<ResponseEntity<Void>> delete(@PathVariable String classId,
                                      @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) List<String> ifMatch,
                                      Caller caller) {
        Ids.require("classId", classId);
        caller.require(Role.REGISTRAR);
        return catalog.delete(classId, caller, EntityTags.ifMatchArgument(ifMatch))
                .thenReturn(ResponseEntity.noContent().build());
    }
}
