package io.seatwatch.api.enrollment;

import io.seatwatch.api.security.Caller;
import io.seatwatch.api.security.Role;
import io.seatwatch.api.web.ConditionalGet;
import io.seatwatch.api.web.EntityTags;
import io.seatwatch.api.web.Ids;
import io.seatwatch.api.web.Page;
import io.seatwatch.api.web.PageRequest;
import io.seatwatch.api.web.Problem;
import io.seatwatch.api.web.Versioned;
import io.seatwatch.api.web.Traceparent;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
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
@RequestMapping("/api/v1/classes/{classId}")
class EnrollmentController {

    private static final Pattern SEQUENCE = Pattern.compile("[0-9]{1,15}");
    private static final Pattern STREAM_ID = Pattern.compile("[0-9]{1,20}-[0-9]{1,20}");

    private final EnrollmentService enrollments;
    private final ConditionalGet conditionalGet;

    EnrollmentController(EnrollmentService enrollments, ConditionalGet conditionalGet) {
        this.enrollments = enrollments;
        this.conditionalGet = conditionalGet;
    }

    @PostMapping("/enrollments")
    Mono<ResponseEntity<Enrollment>> enroll(@PathVariable String classId, @Valid @RequestBody EnrollRequest body,
                                            Caller caller) {
        Ids.require("classId", classId);
        if (!caller.is(Role.REGISTRAR) && !caller.isStudent(body.studentId())) {
            throw Problem.forbidden("A student may enroll only themself; a registrar may enroll anyone.");
        }
        return enrollments.join(classId, body.studentId(), caller).map(result -> {
            Enrollment e = result.enrollment();
            boolean enrolled = "ENROLLED".equals(e.status());
            String path = "/api/v1/classes/" + classId + (enrolled ? "/enrollments/" : "/waitlist/") + e.studentId();
            return ResponseEntity.status(enrolled ? HttpStatus.CREATED : HttpStatus.ACCEPTED)
                    .location(URI.create(path))
                    .eTag(EntityTags.header(result.etag()))
                    .body(e);
        });
    }

    @GetMapping("/enrollments/{studentId}")
    Mono<Enrollment> get(@PathVariable String classId, @PathVariable String studentId,
                                         Caller caller, ServerWebExchange exchange) {
        Ids.require("classId", classId);
        Ids.require("studentId", studentId);
        caller.requireMayActFor(studentId);
        ConditionalGet.Request get = conditionalGet.begin(exchange);
        return enrollments.get(classId, studentId, get.preconditions()).mapNotNull(lookup -> {
            caller.requireMayActFor(studentId, lookup.instructorId());
            Versioned<Enrollment> enrolled = lookup.orNotFound();
            return get.respond(enrolled.version(), enrolled.changedAt(), enrolled.notModified(), enrolled::value);
        });
    }

    @DeleteMapping("/enrollments/{studentId}")
    Mono<ResponseEntity<Void>> drop(@PathVariable String classId, @PathVariable String studentId,
                                    @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) List<String> ifMatch,
                                    Caller caller, ServerWebExchange exchange) {
        Ids.require("classId", classId);
        Ids.require("studentId", studentId);
        caller.requireMayActFor(studentId);
        return enrollments.drop(classId, studentId, caller, EntityTags.ifMatchArgument(ifMatch),
                        Traceparent.of(exchange))
                .thenReturn(ResponseEntity.noContent().build());
    }

    @GetMapping("/enrollments")
    Mono<Page<EnrollmentService.EnrolledStudent>> list(@PathVariable String classId,
                                                       @RequestParam(required = false) String limit,
                                                       @RequestParam(required = false) String cursor,
                                                       Caller caller) {
        Ids.require("classId", classId);
        PageRequest page = PageRequest.of(limit, cursor, "enrollments", SEQUENCE);
        caller.requireMayManage();
        return enrollments.enrolled(classId, page).map(listing -> {
            caller.requireManages(listing.instructorId());
            return new Page<>(listing.items(), PageRequest.cursor("enrollments", listing.next()));
        });
    }

    @GetMapping("/drops")
    Mono<Page<EnrollmentService.Drop>> drops(@PathVariable String classId,
                                             @RequestParam(required = false) String limit,
                                             @RequestParam(required = false) String cursor,
                                             Caller caller) {
        Ids.require("classId", classId);
        PageRequest page = PageRequest.of(limit, cursor, "drops", STREAM_ID);
        caller.requireMayManage();
        return enrollments.drops(classId, page).map(listing -> {
            caller.requireManages(listing.instructorId());
            return new Page<>(listing.items(), PageRequest.cursor("drops", listing.next()));
        });
    }
}
