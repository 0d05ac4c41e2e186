package io.seatwatch.api.waitlist;

import io.seatwatch.api.redis.RedisKeys;
import io.seatwatch.api.web.Preconditions;
import io.seatwatch.api.web.Problem;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Lazy;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A student's live waitlist position as server-sent events: {@code position} at once and after every
 * change (id = class version), then {@code promoted}, {@code left} or {@code removed} and the end; a
 * heartbeat comment while nothing happens; closed at the token's expiry. Changes arrive by the scripts'
 * PUBLISH on the class channel (any api replica's), each one answered by re-reading the state, so
 * nothing depends on a message's content or on not missing one. A slow client holds only the latest event.
 */
@Component
class PositionStream {

    private final ReactiveRedisMessageListenerContainer container;
    private final RedisKeys keys;
    private final WaitlistService waitlists;
    private final JsonMapper json;
    private final Duration heartbeat;
    private final Clock clock;

    PositionStream(@Lazy ReactiveRedisMessageListenerContainer container, RedisKeys keys, WaitlistService waitlists,
                   JsonMapper json, @Value("${seatwatch.position-stream.heartbeat:15s}") Duration heartbeat,
                   Clock clock) {
        this.container = container;
        this.keys = keys;
        this.waitlists = waitlists;
        this.json = json;
        this.heartbeat = heartbeat;
        this.clock = clock;
    }

    private record Change(String kind, String studentId, String by) {
        static final Change INITIAL = new Change("initial", null, null);
    }

    Flux<ServerSentEvent<Object>> stream(String classId, String studentId, Instant expiresAt) {
        AtomicReference<String> lastVersion = new AtomicReference<>();
        // Subscribe first, then read: a change between the two is seen as a message, not lost.
        Flux<ServerSentEvent<Object>> events = container.receiveLater(ChannelTopic.of(keys.classChannel(classId)))
                .flatMapMany(messages -> Flux.concat(Mono.just(Change.INITIAL),
                        messages.map(m -> change(m.getMessage())).onBackpressureLatest()))
                .concatMap(change -> read(classId, studentId, change), 1)
                .takeUntil(event -> !"position".equals(event.event()))
                .filter(event -> !"position".equals(event.event()) || !event.id().equals(lastVersion.getAndSet(event.id())));
        Instant now = clock.instant();
        Duration untilExpiry = Duration.between(now, expiresAt == null ? now.plus(Duration.ofHours(1)) : expiresAt);
        return events.publish(shared -> Flux.merge(shared,
                        Flux.interval(heartbeat, heartbeat)
                                .map(i -> ServerSentEvent.<Object>builder().comment("heartbeat").build())
                                .takeUntilOther(shared.then())))
                .takeUntilOther(Mono.delay(untilExpiry.isNegative() ? Duration.ZERO : untilExpiry))
                .onBackpressureLatest();
    }

    private Change change(String message) {
        try {
            JsonNode m = json.readTree(message);
            return new Change(m.path("kind").asString(""), m.path("studentId").asString(null), m.path("by").asString(null));
        } catch (RuntimeException e) {
            return new Change("", null, null);
        }
    }

    private Mono<ServerSentEvent<Object>> read(String classId, String studentId, Change change) {
        Map<String, Object> who = Map.of("classId", classId, "studentId", studentId);
        return waitlists.position(classId, studentId, Preconditions.NONE)
                .map(lookup -> {
                    if (lookup.waitlisted()) {
                        return ServerSentEvent.<Object>builder(lookup.position()).event("position").id(lookup.version()).build();
                    }
                    if (lookup.enrolled()) {
                        return ServerSentEvent.<Object>builder(Map.of("classId", classId, "studentId", studentId,
                                "status", "ENROLLED")).event("promoted").id(lookup.version()).build();
                    }
                    boolean leftThemself = "left".equals(change.kind()) && studentId.equals(change.studentId())
                            && studentId.equals(change.by());
                    return ServerSentEvent.<Object>builder(who).event(leftThemself ? "left" : "removed")
                            .id(lookup.version()).build();
                })
                .onErrorResume(Problem.class, e -> Mono.just(ServerSentEvent.<Object>builder(who).event("removed").build()));
    }
}
