package io.seatwatch.api.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.seatwatch.api.redis.LuaScripts;
import io.seatwatch.api.redis.RedisKeys;
import io.seatwatch.api.redis.ScriptReply;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.context.SmartLifecycle;
import org.springframework.messaging.Message;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Relays the outbox stream to the {@code relay} output binding (DESIGN.md section 5).
 *
 * <p>All state lives on one thread ({@code loop}); Redis calls and confirms hop back onto it. The Flux
 * handed to the binding never errors and never completes while the application runs: an error would end
 * the binding for good. Entries are settled (XACK + XDEL) only after a positive publisher confirm; a
 * nack or a return (unroutable) is counted and the entry retried after {@code reclaimIdle}, moving to the
 * dead-entry stream after {@code maxAttempts}; a broker outage (send failure, channel closed, confirm
 * timeout) is not counted: the relay backs off and the entries wait in the outbox.
 */
public class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    static final String GROUP = "relay";
    private static final Duration BUSY_TICK = Duration.ofMillis(2);

    private final RelayProperties properties;
    private final RedisKeys keys;
    private final JsonMapper json;
    private final LuaScripts.Script lease;
    private final LuaScripts.Script fetch;
    private final LuaScripts.Script ack;
    private final LuaScripts.Script fail;
    private final String owner;

    private final Scheduler loop = Schedulers.newSingle("outbox-relay");
    private final Scheduler send = Schedulers.newSingle("outbox-relay-send");
    private final Sinks.Many<Message<byte[]>> sink = Sinks.many().unicast().onBackpressureBuffer();
    private final AtomicBoolean subscribed = new AtomicBoolean();

    // Loop-thread state. Per class, one message is in flight at a time and the rest wait in order:
    // confirmed channels are cached only after their acks, so pipelined sends spread over several
    // channels and could overtake each other. Different classes still pipeline.
    private final Map<String, InFlight> inFlight = new HashMap<>();
    private final Map<String, ArrayDeque<Entry>> waiting = new HashMap<>();
    private final Set<String> busyKeys = new HashSet<>();
    private final Set<String> held = new HashSet<>();
    private final Set<String> toAck = new HashSet<>();
    private boolean leader;
    private long nextLeaseCheck;
    private long backoffUntil;
    private long backoffMs;
    private volatile boolean running;

    private final Counter published;
    private final Counter confirmed;
    private final Counter nacked;
    private final Counter returned;
    private final Counter dead;
    private final Counter outages;

    public OutboxRelay(RelayProperties properties, RedisKeys keys, LuaScripts scripts, JsonMapper json,
                       MeterRegistry meters) {
        this.properties = properties;
        this.keys = keys;
        this.json = json;
        this.lease = scripts.load("relay-lease");
        this.fetch = scripts.load("relay-fetch");
        this.ack = scripts.load("relay-ack");
        this.fail = scripts.load("relay-fail");
        this.owner = hostname() + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.published = meters.counter("seatwatch.relay.published");
        this.confirmed = meters.counter("seatwatch.relay.confirmed");
        this.nacked = meters.counter("seatwatch.relay.nacked");
        this.returned = meters.counter("seatwatch.relay.returned");
        this.dead = meters.counter("seatwatch.relay.dead");
        this.outages = meters.counter("seatwatch.relay.broker.failures");
        Gauge.builder("seatwatch.relay.leader", this, r -> r.leader ? 1 : 0)
                .description("1 while this replica holds the relay lease").register(meters);
        Gauge.builder("seatwatch.relay.in.flight", inFlight, Map::size).register(meters);
    }

    /** The output binding's Flux: it never errors, so the binding is never lost. */
    public Flux<Message<byte[]>> messages() {
        return sink.asFlux()
                .publishOn(send, 1)
                .doOnSubscribe(s -> subscribed.set(true))
                .doOnCancel(() -> subscribed.set(false));
    }

    /** True while the binding consumes the Flux. */
    public boolean bound() {
        return subscribed.get();
    }

    public String owner() {
        return owner;
    }

    /** A publish failed before it reached the broker (the binder reports it on the error channel). */
    public void sendFailed(CorrelationData correlation, Throwable cause) {
        correlation.getFuture().complete(new CorrelationData.Confirm(false, "send failed: " + cause));
    }

    // ---- the loop ----

    private void schedule(Duration delay) {
        if (running) {
            // Never sleep past the next lease renewal, whatever the backoff.
            long untilLeaseCheck = TimeUnit.NANOSECONDS.toMillis(nextLeaseCheck - System.nanoTime());
            long millis = Math.max(0, Math.min(delay.toMillis(), untilLeaseCheck));
            loop.schedule(this::tick, millis, TimeUnit.MILLISECONDS);
        }
    }

    private void tick() {
        if (!running) {
            return;
        }
        Mono.defer(this::step)
                .publishOn(loop)
                .onErrorResume(e -> {
                    log.warn("Outbox relay step failed: {}", e.toString());
                    return Mono.just(properties.pollInterval().multipliedBy(10));
                })
                .subscribe(this::schedule);
    }

    private Mono<Duration> step() {
        Mono<Void> leaseStep = System.nanoTime() >= nextLeaseCheck ? checkLease() : Mono.empty();
        return leaseStep.then(Mono.defer(this::flushAcks)).publishOn(loop).then(Mono.defer(() -> {
            if (!leader) {
                return Mono.just(properties.leaseTtl().dividedBy(3));
            }
            long now = System.nanoTime();
            if (now < backoffUntil) {
                return Mono.just(Duration.ofNanos(backoffUntil - now));
            }
            // After a broker failure, probe with one message until one is confirmed again.
            int window = backoffMs > 0 ? 1 : properties.batchSize();
            int want = Math.min(window, properties.maxInFlight() - inFlight.size() - held.size());
            if (want <= 0) {
                return Mono.just(BUSY_TICK);
            }
            return fetch.run(List.of(keys.outbox(), keys.relayLease()), GROUP, owner, want,
                            properties.reclaimIdle().toMillis())
                    .publishOn(loop)
                    .map(reply -> {
                        if (reply.failed()) {
                            log.info("Outbox relay lease lost by {}", owner);
                            leader = false;
                            return properties.leaseTtl().dividedBy(3);
                        }
                        List<JsonNode> entries = ScriptReply.elements(reply.get("entries"));
                        entries.forEach(this::publish);
                        if (entries.size() == want) {
                            return Duration.ZERO;
                        }
                        return inFlight.isEmpty() && toAck.isEmpty() && held.isEmpty() ? properties.pollInterval() : BUSY_TICK;
                    });
        }));
    }

    private Mono<Void> checkLease() {
        nextLeaseCheck = System.nanoTime() + properties.leaseTtl().dividedBy(3).toNanos();
        return lease.run(List.of(keys.relayLease()), owner, properties.leaseTtl().toMillis(), "0")
                .publishOn(loop)
                .doOnNext(reply -> {
                    boolean holds = reply.get("held").asBoolean();
                    if (holds != leader) {
                        log.info(holds ? "Outbox relay lease taken by {}" : "Outbox relay lease lost by {} to {}", owner,
                                reply.text("holder"));
                    }
                    log.debug("Outbox relay lease check by {}: held={}", owner, holds);
                    leader = holds;
                })
                .then();
    }

    private record Entry(String id, String key, Map<String, String> fields) {}

    private record InFlight(CorrelationData correlation, String key) {}

    private void publish(JsonNode json) {
        String id = json.path("id").asString();
        if (inFlight.containsKey(id) || toAck.contains(id) || held.contains(id)) {
            return;
        }
        Map<String, String> fields = new HashMap<>();
        json.path("f").properties().forEach(e -> fields.put(e.getKey(), e.getValue().asString()));
        // Ordering is per class; events of no class (none yet) need none.
        Entry entry = new Entry(id, fields.getOrDefault("classId", id), fields);
        if (busyKeys.contains(entry.key())) {
            waiting.computeIfAbsent(entry.key(), k -> new ArrayDeque<>()).add(entry);
            held.add(id);
            return;
        }
        send(entry);
    }

    private void send(Entry entry) {
        String id = entry.id();
        CorrelationData correlation = new CorrelationData(id);
        Message<byte[]> message;
        try {
            message = EventMessages.toMessage(entry.fields(), correlation, json);
        } catch (RuntimeException e) {
            // A malformed entry can never be published: count it toward the dead-entry stream.
            inFlight.put(id, new InFlight(correlation, entry.key()));
            busyKeys.add(entry.key());
            refused(id, "unpublishable entry: " + e);
            return;
        }
        inFlight.put(id, new InFlight(correlation, entry.key()));
        busyKeys.add(entry.key());
        published.increment();
        if (sink.tryEmitNext(message).isFailure()) {
            finished(id, false);
            return;
        }
        Mono.fromFuture(correlation.getFuture())
                .timeout(properties.confirmTimeout())
                .publishOn(loop)
                .subscribe(confirm -> settle(id, correlation, confirm),
                        error -> outage(id, "no confirm within " + properties.confirmTimeout()));
    }

    /**
     * The entry is no longer in flight. After a success the next entry of its class goes out; after a
     * failure the class's waiting entries are let go too (they stay pending in the outbox and are
     * reclaimed, in stream order, after reclaimIdle).
     */
    private void finished(String id, boolean success) {
        InFlight done = inFlight.remove(id);
        if (done == null) {
            return;
        }
        busyKeys.remove(done.key());
        ArrayDeque<Entry> queue = waiting.get(done.key());
        if (queue == null) {
            return;
        }
        if (success) {
            Entry next = queue.poll();
            if (queue.isEmpty()) {
                waiting.remove(done.key());
            }
            if (next != null) {
                held.remove(next.id());
                send(next);
            }
        } else {
            waiting.remove(done.key());
            queue.forEach(e -> held.remove(e.id()));
        }
    }

    private void settle(String id, CorrelationData correlation, CorrelationData.Confirm confirm) {
        ReturnedMessage ret = correlation.getReturned();
        if (ret != null) {
            returned.increment();
            refused(id, "unroutable: " + ret.getReplyCode() + " " + ret.getReplyText() + " exchange="
                    + ret.getExchange() + " routingKey=" + ret.getRoutingKey());
        } else if (confirm.ack()) {
            toAck.add(id);
            confirmed.increment();
            if (backoffMs > 0) {
                log.info("Outbox relay: broker available again");
                backoffMs = 0;
            }
            finished(id, true);
        } else if (confirm.reason() == null) {
            nacked.increment();
            refused(id, "nack");
        } else {
            outage(id, confirm.reason());
        }
    }

    /** The broker refused the message: counted; the entry is reclaimed later or dead-lettered. */
    private void refused(String id, String reason) {
        fail.run(List.of(keys.outbox(), keys.outboxFailures(), keys.outboxDead()), GROUP, id,
                        properties.maxAttempts(), reason)
                .publishOn(loop)
                .doFinally(s -> finished(id, false))
                .subscribe(reply -> {
                    if (reply.get("dead").asBoolean()) {
                        dead.increment();
                        log.error("Outbox entry {} moved to the dead-entry stream after {} attempts: {}", id,
                                reply.get("attempts").asInt(), reason);
                    } else {
                        log.warn("Outbox entry {} refused by the broker ({}), attempt {}", id, reason,
                                reply.get("attempts").asInt());
                    }
                }, e -> log.warn("Could not record the failure of outbox entry {}: {}", id, e.toString()));
    }

    /** The broker is unreachable: not counted; pause, and the entry is reclaimed after reclaimIdle. */
    private void outage(String id, String reason) {
        finished(id, false);
        outages.increment();
        if (backoffMs == 0) {
            log.warn("Outbox relay: broker unavailable ({}); entries wait in the outbox", reason);
        } else {
            log.debug("Outbox relay: broker still unavailable ({})", reason);
        }
        backoffMs = Math.min(properties.maxBackoff().toMillis(), backoffMs == 0 ? 100 : backoffMs * 2);
        backoffUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
    }

    private Mono<Void> flushAcks() {
        if (toAck.isEmpty()) {
            return Mono.empty();
        }
        List<String> ids = new ArrayList<>(toAck);
        List<Object> args = new ArrayList<>(ids.size() + 1);
        args.add(GROUP);
        args.addAll(ids);
        return ack.run(List.of(keys.outbox(), keys.outboxFailures()), args.toArray())
                .publishOn(loop)
                .doOnNext(reply -> ids.forEach(toAck::remove))
                .then();
    }

    // ---- lifecycle ----

    @Override
    public void start() {
        running = true;
        nextLeaseCheck = 0;
        loop.schedule(this::tick);
    }

    @Override
    public void stop() {
        CountDownLatch drained = new CountDownLatch(1);
        // Let confirms of what is in flight arrive, settle them, then hand the lease over.
        loop.schedule(() -> {
            running = false;
            Flux.interval(Duration.ofMillis(20), loop)
                    .takeUntil(i -> inFlight.isEmpty() || i * 20 >= properties.confirmTimeout().toMillis())
                    .then(Mono.defer(this::flushAcks))
                    .then(Mono.defer(() -> leader
                            ? lease.run(List.of(keys.relayLease()), owner, properties.leaseTtl().toMillis(), "1").then()
                            : Mono.empty()))
                    .doFinally(s -> drained.countDown())
                    .subscribe(v -> { }, e -> log.warn("Outbox relay shutdown: {}", e.toString()));
        });
        try {
            drained.await(properties.confirmTimeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        leader = false;
        loop.dispose();
        send.dispose();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts after and stops before the bindings, so publishing works for the whole drain. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "relay";
        }
    }
}
