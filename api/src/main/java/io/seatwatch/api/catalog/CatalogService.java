package io.seatwatch.api.catalog;

import io.seatwatch.api.SeatwatchProperties;
import io.seatwatch.api.events.EventIds;
import io.seatwatch.api.redis.LuaScripts;
import io.seatwatch.api.redis.RedisKeys;
import io.seatwatch.api.redis.ScriptReply;
import io.seatwatch.api.security.Caller;
import io.seatwatch.api.web.Preconditions;
import io.seatwatch.api.web.Versioned;
import io.seatwatch.api.web.PageRequest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/** The catalog of class sections: every change is one Lua script. */
@Service
public class CatalogService {

    private static final char SEPARATOR = '\u001f';
    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private final SecureRandom random = new SecureRandom();

    private final RedisKeys keys;
    private final SeatwatchProperties properties;
    private final LuaScripts.Script createClass;
    private final LuaScripts.Script updateClass;
    private final LuaScripts.Script deleteClass;
    private final LuaScripts.Script getClass;
    private final LuaScripts.Script listClasses;

    public CatalogService(LuaScripts scripts, RedisKeys keys, SeatwatchProperties properties) {
        this.keys = keys;
        this.properties = properties;
        this.createClass = scripts.load("create-class");
        this.updateClass = scripts.load("update-class");
        this.deleteClass = scripts.load("delete-class");
        this.getClass = scripts.load("get-class");
        this.listClasses = scripts.load("list-classes");
    }

    public Mono<CourseClass> create(CreateClassRequest req, Caller caller) {
        String department = req.department().strip();
        String courseCode = req.courseCode().strip();
        String section = req.section().strip();
        String id = newId();
        String uniqueKey = String.join(String.valueOf(SEPARATOR), fold(department), fold(courseCode), fold(section));
        String sortKey = uniqueKey + SEPARATOR + id;
        int waitlistCapacity = req.waitlistCapacity() == null
                ? CreateClassRequest.DEFAULT_WAITLIST_CAPACITY : req.waitlistCapacity();
        List<String> k = new ArrayList<>(keys.classKeySet(id, caller.id()));
        k.add(keys.classKeys());
        k.add(keys.classes());
        return createClass.run(k, id, department, courseCode, section, req.title().strip(), req.instructorId(),
                        req.capacity(), waitlistCapacity, uniqueKey, sortKey, properties.rateLimit().scriptRate(), properties.rateLimit().burst())
                .map(reply -> CourseClass.from(reply.orThrow().get("class")));
    }

    /** The class, or only its validator when the precondition holds (then {@code value} is null). */
    public Mono<Versioned<CourseClass>> get(String classId, Preconditions preconditions) {
        return getClass.run(keys.classKeySet(classId, null), preconditions.scriptArgument())
                .map(ScriptReply::orThrow)
                .map(reply -> {
                    if (reply.get("notModified").asBoolean(false)) {
                        return new Versioned<CourseClass>(null, reply.text("version"), reply.text("changedAt"), true);
                    }
                    CourseClass c = CourseClass.from(reply.get("class"));
                    return new Versioned<>(c, c.version(), c.changedAt(), false);
                });
    }

    public Mono<Versioned<Catalog>> list(PageRequest page, boolean availableOnly, Preconditions preconditions) {
        return listClasses.run(List.of(keys.classes(), keys.catalog()), keys.prefix(), page.position(), page.limit(),
                        availableOnly ? "1" : "0", properties.enrollment().catalogScanBudget(),
                        preconditions.scriptArgument())
                .map(reply -> {
                    boolean notModified = reply.get("notModified").asBoolean(false);
                    Catalog catalog = notModified ? null : new Catalog(
                            ScriptReply.elements(reply.get("items")).stream().map(CourseClass::from).toList(),
                            reply.text("next"));
                    return new Versioned<>(catalog, reply.text("catalogVersion"), reply.text("catalogChangedAt"),
                            notModified);
                });
    }

    public Mono<CourseClass> update(String classId, UpdateClassRequest req, Caller caller, String ifMatch,
                                    String traceparent) {
        String frozen = req.autoEnrollmentFrozen() == null ? "" : req.autoEnrollmentFrozen() ? "1" : "0";
        return updateClass.run(keys.classKeySet(classId, caller.id()), keys.prefix(), classId,
                        req.instructorId(), req.capacity(), req.waitlistCapacity(), frozen, ifMatch,
                        EventIds.nonce(), traceparent, properties.rateLimit().scriptRate(), properties.rateLimit().burst())
                .map(reply -> CourseClass.from(reply.orThrow().get("class")));
    }

    public Mono<Void> delete(String classId, Caller caller, String ifMatch) {
        List<String> k = new ArrayList<>(keys.classKeySet(classId, caller.id()));
        k.add(keys.classKeys());
        k.add(keys.classes());
        return deleteClass.run(k, keys.prefix(), classId, ifMatch, properties.rateLimit().scriptRate(), properties.rateLimit().burst()).map(ScriptReply::orThrow).then();
    }

    /** One page of the catalog; its validator is the catalog version, which every class change bumps. */
    public record Catalog(List<CourseClass> items, String next) {}

    private static String fold(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private String newId() {
        StringBuilder sb = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            sb.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
        }
        return sb.toString();
    }
}
