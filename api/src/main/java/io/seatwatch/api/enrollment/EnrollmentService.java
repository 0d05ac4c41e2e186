package io.seatwatch.api.enrollment;

import io.seatwatch.api.SeatwatchProperties;
import io.seatwatch.api.events.EventIds;
import io.seatwatch.api.redis.LuaScripts;
import io.seatwatch.api.redis.RedisKeys;
import io.seatwatch.api.redis.ScriptReply;
import io.seatwatch.api.security.Caller;
import io.seatwatch.api.web.EntityTags;
import io.seatwatch.api.web.PageRequest;
import io.seatwatch.api.web.Preconditions;
import io.seatwatch.api.web.Versioned;
import io.seatwatch.api.web.Problem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** Joining a class (enrolled or waitlisted), enrollments and drops. */
@Service
public class EnrollmentService {

    private static final Logger log = LoggerFactory.getLogger(EnrollmentService.class);

    private final RedisKeys keys;
    private final SeatwatchProperties properties;
    private final LuaScripts.Script enroll;
    private final LuaScripts.Script dropEnrollment;
    private final LuaScripts.Script getEnrollment;
    private final LuaScripts.Script listEnrollments;
    private final LuaScripts.Script listDrops;

    public EnrollmentService(LuaScripts scripts, RedisKeys keys, SeatwatchProperties properties) {
        this.keys = keys;
        this.properties = properties;
        this.enroll = scripts.load("enroll");
        this.dropEnrollment = scripts.load("drop-enrollment");
        this.getEnrollment = scripts.load("get-enrollment");
        this.listEnrollments = scripts.load("list-enrollments");
        this.listDrops = scripts.load("list-drops");
    }

    public Mono<JoinResult> join(String classId, String studentId, Caller caller) {
        List<String> k = new ArrayList<>(keys.classKeySet(classId, caller.id()));
        k.add(keys.studentWaitlists(studentId));
        return enroll.run(k, classId, studentId, properties.enrollment().maxWaitlistsPerStudent(),
                        properties.rateLimit().scriptRate(), properties.rateLimit().burst())
                .map(ScriptReply::orThrow)
                .map(reply -> "ENROLLED".equals(reply.text("status"))
                        ? new JoinResult(new Enrollment(classId, studentId, "ENROLLED",
                                ScriptReply.micros(reply.text("enrolledAt")), null),
                                EntityTags.opaque(reply.text("version"), reply.text("enrolledAt")))
                        : new JoinResult(new Enrollment(classId, studentId, "WAITLISTED", null,
                                reply.get("position").asInt()),
                                EntityTags.opaque(reply.text("version"), reply.text("changedAt"))));
    }

    /** The class's instructor and the enrollment, if any: the controller orders 404 and 403. */
    public Mono<Lookup> get(String classId, String studentId, Preconditions preconditions) {
        return getEnrollment.run(keys.classKeySet(classId, null), studentId, preconditions.scriptArgument())
                .map(ScriptReply::orThrow)
                .map(reply -> {
                    JsonNode e = reply.get("enrollment");
                    Versioned<Enrollment> enrolled = e.isObject() ? new Versioned<>(
                            new Enrollment(classId, studentId, "ENROLLED", ScriptReply.micros(e.path("at").asString()), null),
                            e.path("v").asString(), e.path("at").asString(), reply.get("notModified").asBoolean(false))
                            : null;
                    return new Lookup(reply.text("instructorId"), enrolled);
                });
    }

    public Mono<Void> drop(String classId, String studentId, Caller caller, String ifMatch, String traceparent) {
        return dropEnrollment.run(keys.classKeySet(classId, caller.id()), keys.prefix(), classId, studentId,
                        caller.id(), caller.roleFlags(), ifMatch, EventIds.nonce(), traceparent,
                        properties.rateLimit().scriptRate(), properties.rateLimit().burst())
                .map(ScriptReply::orThrow)
                .doOnNext(reply -> {
                    // The request's trace id is on this line and in the events, and so on the notifiers' lines.
                    JsonNode promoted = reply.get("promoted");
                    if (promoted != null && promoted.isArray() && !promoted.isEmpty()) {
                        log.info("Drop of {} from class {} ({}) promoted {}", studentId, classId, reply.text("reason"), promoted);
                    }
                })
                .then();
    }

    public Mono<Listing<EnrolledStudent>> enrolled(String classId, PageRequest page) {
        return listEnrollments.run(keys.classKeySet(classId, null), page.position(), page.limit())
                .map(ScriptReply::orThrow)
                .map(reply -> new Listing<>(reply.text("instructorId"),
                        ScriptReply.elements(reply.get("items")).stream()
                                .map(i -> new EnrolledStudent(i.path("studentId").asString(),
                                        ScriptReply.micros(i.path("at").asString())))
                                .toList(),
                        reply.text("next")));
    }

    public Mono<Listing<Drop>> drops(String classId, PageRequest page) {
        return listDrops.run(keys.classKeySet(classId, null), page.position(), page.limit())
                .map(ScriptReply::orThrow)
                .map(reply -> new Listing<>(reply.text("instructorId"),
                        ScriptReply.elements(reply.get("items")).stream()
                                .map(i -> new Drop(i.path("studentId").asString(),
                                        ScriptReply.micros(i.path("droppedAt").asString()),
                                        i.path("droppedBy").asString(), i.path("reason").asString()))
                                .toList(),
                        reply.text("next")));
    }

    public record JoinResult(Enrollment enrollment, String etag) {}

    public record Lookup(String instructorId, Versioned<Enrollment> enrolled) {
        public Versioned<Enrollment> orNotFound() {
            if (enrolled == null) {
                throw Problem.fromScript("enrollment-not-found", null);
            }
            return enrolled;
        }
    }

    /** A page read together with the class's instructor, whom the access check needs. */
    public record Listing<T>(String instructorId, List<T> items, String next) {}

    public record EnrolledStudent(String studentId, Instant enrolledAt) {}

    public record Drop(String studentId, Instant droppedAt, String droppedBy, String reason) {}
}
