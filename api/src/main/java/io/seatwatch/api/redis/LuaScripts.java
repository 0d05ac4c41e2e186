package io.seatwatch.api.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the Lua scripts under {@code classpath:scripts/}, each prefixed with {@code lib.lua}. Scripts are
 * read once; Spring Data sends EVALSHA and falls back to EVAL only when Redis has not cached one yet.
 */
@Component
public class LuaScripts {

    private final ReactiveStringRedisTemplate redis;
    private final JsonMapper json;
    private final String lib;

    public LuaScripts(ReactiveStringRedisTemplate redis, JsonMapper json) {
        this.redis = redis;
        this.json = json;
        this.lib = read("lib");
    }

    /** Loads {@code scripts/<name>.lua} with the shared helpers. */
    public Script load(String name) {
        return new Script(name, RedisScript.of(lib + "\n" + read(name), String.class));
    }

    private static String read(String name) {
        try {
            return new ClassPathResource("scripts/" + name + ".lua").getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("missing script " + name, e);
        }
    }

    /** One loaded script. */
    public final class Script {
        private final String name;
        private final RedisScript<String> script;

        private Script(String name, RedisScript<String> script) {
            this.name = name;
            this.script = script;
        }

        /** Runs the script and parses its JSON reply; arguments are sent as strings. */
        public Mono<ScriptReply> run(List<String> keys, Object... args) {
            List<String> argv = java.util.Arrays.stream(args).map(a -> a == null ? "" : a.toString()).toList();
            return redis.execute(script, keys, argv)
                    .next()
                    .map(reply -> new ScriptReply(name, (JsonNode) json.readTree(reply)));
        }
    }
}
