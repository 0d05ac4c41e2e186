package io.seatwatch.api.redis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** A script's JSON reply: either an error code (see each script's header) or a result. */
public record ScriptReply(String script, JsonNode body) {

    public boolean failed() {
        return body.hasNonNull("err");
    }

    /** This reply, or the script's error as the HTTP problem it stands for. */
    public ScriptReply orThrow() {
        if (failed()) {
            throw io.seatwatch.api.web.Problem.fromScript(error(), body);
        }
        return this;
    }

    public String error() {
        return body.path("err").asString(null);
    }

    public JsonNode get(String field) {
        return body.path(field);
    }

    public String text(String field) {
        JsonNode n = body.get(field);
        return n == null || n.isNull() ? null : n.asString();
    }

    /** Elements of an array field; cjson encodes an empty Lua table as {}, read here as empty. */
    public static List<JsonNode> elements(JsonNode node) {
        List<JsonNode> out = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(out::add);
        }
        return out;
    }

    /** Scripts carry Redis TIME as decimal microseconds since the epoch. */
    public static Instant micros(String value) {
        long micros = Long.parseLong(value);
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
