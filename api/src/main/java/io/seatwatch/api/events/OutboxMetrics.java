package io.seatwatch.api.events;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.seatwatch.api.redis.LuaScripts;
import io.seatwatch.api.redis.RedisKeys;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Outbox gauges, refreshed every few seconds by every replica: length, age of the oldest unrelayed entry
 * (alert when it grows: the broker or the relay is stuck), dead entries, and whether the lease is held.
 */
@Component
class OutboxMetrics implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(OutboxMetrics.class);

    private final AtomicLong length = new AtomicLong();
    private final AtomicLong oldestAgeMillis = new AtomicLong();
    private final AtomicLong deadLength = new AtomicLong();
    private final AtomicLong leaseHeld = new AtomicLong();
    private final Disposable refresh;

    OutboxMetrics(MeterRegistry meters, LuaScripts scripts, RedisKeys keys) {
        Gauge.builder("seatwatch.outbox.length", length, AtomicLong::get).description("Unrelayed outbox entries").register(meters);
        Gauge.builder("seatwatch.outbox.oldest.age", oldestAgeMillis, a -> a.get() / 1000.0).baseUnit("seconds")
                .description("Age of the oldest unrelayed outbox entry").register(meters);
        Gauge.builder("seatwatch.outbox.dead.length", deadLength, AtomicLong::get).description("Dead outbox entries").register(meters);
        Gauge.builder("seatwatch.relay.lease.held", leaseHeld, AtomicLong::get)
                .description("1 while some replica holds the relay lease").register(meters);
        LuaScripts.Script stats = scripts.load("outbox-stats");
        // A tick that comes while a slow read (a busy Redis, a JVM still warming up) is running is skipped:
        // without the drop, interval fails with an overflow and the gauges would freeze for good.
        refresh = Flux.interval(Duration.ZERO, Duration.ofSeconds(5))
                .onBackpressureDrop()
                .concatMap(i -> stats.run(List.of(keys.outbox(), keys.outboxDead(), keys.relayLease()))
                        .onErrorResume(e -> reactor.core.publisher.Mono.empty()))
                .subscribe(reply -> {
                    length.set(reply.get("length").asLong());
                    deadLength.set(reply.get("dead").asLong());
                    leaseHeld.set(reply.text("leaseHolder").isEmpty() ? 0 : 1);
                    oldestAgeMillis.set(reply.get("oldestAgeMillis").asLong());
                }, e -> log.error("Outbox gauges stopped refreshing", e));
    }

    @Override
    public void destroy() {
        refresh.dispose();
    }
}
