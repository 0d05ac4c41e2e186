package io.seatwatch.api.waitlist;

import io.seatwatch.api.SeatwatchProperties;
import io.seatwatch.api.redis.LuaScripts;
import io.seatwatch.api.redis.RedisKeys;
import io.seatwatch.api.redis.ScriptReply;
import io.seatwatch.api.security.Caller;
import io.seatwatch.api.web.Preconditions;
import io.seatwatch.api.web.PageRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/** Waitlists: a student's position, the ordered list, leaving. */
@Service
public class WaitlistService {

    private final RedisKeys keys;
    private final SeatwatchProperties properties;
    private final LuaScripts.Script getPosition;
    private final LuaScripts.Script listWaitlist;
    private final LuaScripts.Script leaveWaitlist;

    public WaitlistService(LuaScripts scripts, RedisKeys keys, SeatwatchProperties properties) {
        this.keys = keys;
        this.properties = properties;
        this.getPosition = scripts.load("get-position");
        this.listWaitlist = scripts.load("list-waitlist");
        this.leaveWaitlist = scripts.load("leave-waitlist");
    }

    /**
     * The class's instructor, the position (null when not waitlisted) and the validator: the class's
     * version, which every change that can move a position bumps.
     */
    public Mono<PositionLookup> position(String classId, String studentId, Preconditions preconditions) {
        return getPosition.run(keys.classKeySet(classId, null), studentId, preconditions.scriptArgument())
                .map(ScriptReply::orThrow)
                .map(reply -> new PositionLookup(reply.text("instructorId"),
                        reply.get("position").isNumber()
                                ? new Position(classId, studentId, reply.get("position").asInt(), reply.get("size").asInt())
                                : null,
                        reply.text("version"), reply.text("changedAt"),
                        reply.get("waitlisted").asBoolean(false), reply.get("enrolled").asBoolean(false),
                        reply.get("notModified").asBoolean(false)));
    }

    public Mono<Listing> list(String classId, PageRequest page) {
        return listWaitlist.run(keys.classKeySet(classId, null), page.position(), page.limit())
                .map(ScriptReply::orThrow)
                .map(reply -> new Listing(reply.text("instructorId"),
                        ScriptReply.elements(reply.get("items")).stream()
                                .map(i -> new WaitlistEntry(i.path("studentId").asString(), i.path("position").asInt(),
                                        ScriptReply.micros(i.path("joinedAt").asString())))
                                .toList(),
                        reply.text("next")));
    }

    public Mono<Void> leave(String classId, String studentId, Caller caller, String ifMatch) {
        List<String> k = new ArrayList<>(keys.classKeySet(classId, caller.id()));
        k.add(keys.studentWaitlists(studentId));
        return leaveWaitlist.run(k, classId, studentId, caller.id(), caller.roleFlags(), ifMatch,
                        properties.rateLimit().scriptRate(), properties.rateLimit().burst())
                .map(ScriptReply::orThrow)
                .then();
    }

    public record Position(String classId, String studentId, int position, int waitlistSize) {}

    /** A position read: {@code position} is null when not waitlisted, or when {@code notModified}. */
    public record PositionLookup(String instructorId, Position position, String version, String changedAt,
                                 boolean waitlisted, boolean enrolled, boolean notModified) {}

    public record WaitlistEntry(String studentId, int position, Instant joinedAt) {}

    public record Listing(String instructorId, List<WaitlistEntry> items, String next) {}
}
