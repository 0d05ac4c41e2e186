package io.seatwatch.api.events;

import com.rabbitmq.client.Channel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.seatwatch.api.redis.LuaScripts;
import io.seatwatch.api.redis.RedisKeys;
import io.seatwatch.api.redis.ScriptReply;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.context.SmartLifecycle;
import org.springframework.messaging.Message;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Relays the outbox stream to the {@code relay} output binding (docs/architecture.md, section "Outbox and relay").
 *
 * <p>All state lives on one thread ({@code loop}); Redis calls and confirms hop back onto it. The Flux
 * handed to the binding never errors and never completes while the application runs: an error would end
 * the binding for good. Entries are settled (XACK + XDEL) only after a positive publisher confirm; a
 * nack or a return (unroutable) is counted and the entry retried after {@code reclaimIdle}, moving to the
 * dead-entry stream after {@code maxAttempts}; a broker outage (send failure, channel closed, confirm
 * timeout) is not counted: the relay keeps those entries, backs off (at most {@code maxBackoff}) and sends
 * them again first, on a fresh channel, so the broker's return is noticed within one backoff instead of
 * after {@code reclaimIdle}.
 *
 * <p>Messages are handed to the binding on one sender thread that keeps the binding's RabbitTemplate in a
 * scoped operation, so every publish goes over one channel: confirms pipeline as in PerfTest, and messages
 * reach the broker in outbox order, which keeps each class's events in sequence. (Without the scope the
 * template takes a channel per send and, with correlated confirms, caches it only after its acks, so
 * pipelined sends spread over many channels, overtake each other and cost a thread hand-off each.) That
 * channel is checked before each send: one the broker closed while the relay was idle (a restart) is given up
 * for a new one instead of failing the next publish.
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

    // Daemon: only stop() disposes it, and a relay whose context was never stopped must not keep the JVM up.
    private final Scheduler loop = Schedulers.newSingle("outbox-relay", true);
    // Multicast without auto-cancel: a binding that is stopped and started again subscribes anew (a unicast
    // sink would refuse the second subscriber and end the binding for good).
    private final Sinks.Many<Message<byte[]>> sink = Sinks.many().multicast()
            .onBackpressureBuffer(Queues.SMALL_BUFFER_SIZE, false);
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final BlockingDeque<Message<byte[]>> outgoing = new LinkedBlockingDeque<>();
    private final AtomicReference<RabbitTemplate> template = new AtomicReference<>();
    private volatile boolean channelBroken;
    private Thread sender;

    // Loop-thread state. In-flight entries in publish order, so the oldest is checked for its timeout first.
    private final LinkedHashMap<String, InFlight> inFlight = new LinkedHashMap<>();
    private final Set<String> toAck = new HashSet<>();
    // Entries whose publish a broker outage cut short, in outbox order: sent again before anything new.
    private final TreeMap<String, Map<String, String>> retry = new TreeMap<>(OutboxRelay::compareIds);
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
                .doOnSubscribe(s -> {
                    log.debug("Outbox relay: the binding subscribed");
                    subscribed.set(true);
                })
                .doOnCancel(() -> {
                    log.warn("Outbox relay: the binding stopped consuming; this replica gives the lease up");
                    subscribed.set(false);
                })
                .doOnTerminate(() -> subscribed.set(false));
    }

    /** The binding's template, whose scoped operation gives the sender thread its one channel. */
    public void useTemplate(RabbitTemplate bindingTemplate) {
        log.debug("Outbox relay publishes with the binding's template {}", bindingTemplate);
        template.set(bindingTemplate);
    }

    /** True while the binding consumes the Flux. */
    public boolean bound() {
        return subscribed.get();
    }

    public String owner() {
        return owner;
    }

    /**
     * A publish failed before it reached the broker; the binder reports it on the error channel, on the
     * sender thread. The channel is given up and a new one opened for the next message.
     */
    public void sendFailed(CorrelationData correlation, Throwable cause) {
        channelBroken = true;
        correlation.getFuture().complete(new CorrelationData.Confirm(false, "send failed: " + cause));
    }

    // ---- the sender thread ----

    private void sendLoop() {
        while (running) {
            RabbitTemplate scoped = template.get();
            try {
                if (scoped == null) {
                    drain(false, () -> true);
                } else {
                    scoped.invoke(operations -> {
                        Channel channel = operations.execute(c -> c);
                        drain(false, channel::isOpen);
                        return null;
                    });
                }
            } catch (RuntimeException e) {
                // No channel (the broker is unreachable): send the next message outside a scope so that its
                // failure reaches the relay, which then backs off.
                log.debug("Outbox relay sender: no channel: {}", e.toString());
                drain(true, () -> true);
            }
            channelBroken = false;
        }
    }

    /**
     * Emits queued messages (the binding publishes each on this thread) until the channel breaks or turns out
     * closed, or one message when {@code once}. Messages the relay gave up on meanwhile are skipped: their
     * entries are sent again, so sending these too would duplicate them.
     */
    private void drain(boolean once, BooleanSupplier channelOpen) {
        while (running && !channelBroken) {
            try {
                Message<byte[]> message = outgoing.poll(100, TimeUnit.MILLISECONDS);
                if (message == null) {
                    // Nothing to send. Without a channel too ({@code once}), wait for the relay's next probe rather
                    // than dial the broker again: the relay paces its probes (max-backoff).
                    continue;
                }
                CorrelationData correlation = (CorrelationData) message.getHeaders()
                        .get(org.springframework.amqp.support.AmqpHeaders.PUBLISH_CONFIRM_CORRELATION);
                if (correlation.getFuture().isDone()) {
                    continue;
                }
                if (!channelOpen.getAsBoolean()) {
                    // Closed under the idle relay (a broker restart): this message goes first on a new channel.
                    log.debug("Outbox relay sender: the channel was closed; taking a new one");
                    outgoing.addFirst(message);
                    channelBroken = true;
                    return;
                }
                if (sink.tryEmitNext(message).isFailure()) {
                    correlation.getFuture().complete(new CorrelationData.Confirm(false, "binding not consuming"));
                }
                if (once) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
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
            expireUnconfirmed();
            if (!leader) {
                return Mono.just(properties.leaseTtl().dividedBy(3));
            }
            long now = System.nanoTime();
            if (now < backoffUntil) {
                return Mono.just(Duration.ofNanos(backoffUntil - now));
            }
            // After a broker failure, probe with one message until one is confirmed again.
            int window = backoffMs > 0 ? 1 : properties.batchSize();
            int want = Math.min(window, properties.maxInFlight() - inFlight.size());
            if (want <= 0) {
                return Mono.just(BUSY_TICK);
            }
            if (!retry.isEmpty()) {
                for (int i = 0; i < want && !retry.isEmpty(); i++) {
                    Map.Entry<String, Map<String, String>> next = retry.pollFirstEntry();
                    publish(next.getKey(), next.getValue());
                }
                return Mono.just(BUSY_TICK);
            }
            return fetch.run(List.of(keys.outbox(), keys.relayLease()), GROUP, owner, want,
                            properties.reclaimIdle().toMillis())
                    .publishOn(loop)
                    .map(reply -> {
                        if (reply.failed()) {
                            log.info("Outbox relay lease lost by {}", owner);
                            lostLease();
                            return properties.leaseTtl().dividedBy(3);
                        }
                        List<JsonNode> entries = ScriptReply.elements(reply.get("entries"));
                        entries.forEach(this::publish);
                        if (entries.size() == want) {
                            return Duration.ZERO;
                        }
                        return inFlight.isEmpty() && toAck.isEmpty() ? properties.pollInterval() : BUSY_TICK;
                    });
        }));
    }

    private Mono<Void> checkLease() {
        nextLeaseCheck = System.nanoTime() + properties.leaseTtl().dividedBy(3).toNanos();
        if (!subscribed.get()) {
            // A stopped binding does not resubscribe (Spring Cloud Stream destroys its reactive channel):
            // this replica cannot publish, so it leaves the lease to a standby.
            boolean held = leader;
            lostLease();
            return held ? lease.run(List.of(keys.relayLease()), owner, properties.leaseTtl().toMillis(), "1").then()
                    : Mono.empty();
        }
        return lease.run(List.of(keys.relayLease()), owner, properties.leaseTtl().toMillis(), "0")
                .publishOn(loop)
                .doOnNext(reply -> {
                    boolean holds = reply.get("held").asBoolean();
                    if (holds != leader) {
                        log.info(holds ? "Outbox relay lease taken by {}" : "Outbox relay lease lost by {} to {}", owner,
                                reply.text("holder"));
                    }
                    log.debug("Outbox relay lease check by {}: held={}", owner, holds);
                    if (holds) {
                        leader = true;
                    } else {
                        lostLease();
                    }
                })
                .then();
    }

    /** The next holder reclaims what this one kept for a retry. */
    private void lostLease() {
        leader = false;
        retry.clear();
    }

    private void publish(JsonNode entry) {
        Map<String, String> fields = new HashMap<>();
        entry.path("f").properties().forEach(e -> fields.put(e.getKey(), e.getValue().asString()));
        // Reclaimed from the outbox while kept for a retry: it goes now, once.
        retry.remove(entry.path("id").asString());
        publish(entry.path("id").asString(), fields);
    }

    private void publish(String id, Map<String, String> fields) {
        if (inFlight.containsKey(id) || toAck.contains(id)) {
            return;
        }
        CorrelationData correlation = new CorrelationData(id);
        inFlight.put(id, new InFlight(correlation, System.nanoTime(), fields));
        Message<byte[]> message;
        try {
            message = EventMessages.toMessage(fields, correlation, json);
        } catch (RuntimeException e) {
            // A malformed entry can never be published: count it toward the dead-entry stream.
            refused(id, "unpublishable entry: " + e);
            return;
        }
        published.increment();
        outgoing.add(message);
        correlation.getFuture().whenComplete((confirm, error) -> loop.schedule(() -> {
            // Only this publish's outcome: an abandoned earlier one of the same entry must not settle a retry.
            InFlight current = inFlight.get(id);
            if (current != null && current.correlation() == correlation && confirm != null) {
                settle(id, correlation, confirm);
            }
        }));
    }

    /** Publishes without a confirm within confirmTimeout count as a broker outage. */
    private void expireUnconfirmed() {
        long now = System.nanoTime();
        long timeout = properties.confirmTimeout().toNanos();
        while (!inFlight.isEmpty()) {
            Map.Entry<String, InFlight> oldest = inFlight.entrySet().iterator().next();
            if (now - oldest.getValue().sentAt() < timeout) {
                return;
            }
            outage(oldest.getKey(), "no confirm within " + properties.confirmTimeout());
        }
    }

    private record InFlight(CorrelationData correlation, long sentAt, Map<String, String> fields) {}

    private void settle(String id, CorrelationData correlation, CorrelationData.Confirm confirm) {
        ReturnedMessage ret = correlation.getReturned();
        if (ret != null) {
            returned.increment();
            refused(id, "unroutable: " + ret.getReplyCode() + " " + ret.getReplyText() + " exchange="
                    + ret.getExchange() + " routingKey=" + ret.getRoutingKey());
        } else if (confirm.ack()) {
            inFlight.remove(id);
            toAck.add(id);
            confirmed.increment();
            if (backoffMs > 0) {
                log.info("Outbox relay: broker available again");
                backoffMs = 0;
            }
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
                .doFinally(s -> inFlight.remove(id))
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

    /** The broker is unreachable: not counted; pause, then send the entry again first. */
    private void outage(String id, String reason) {
        InFlight abandoned = inFlight.remove(id);
        if (abandoned != null) {
            abandoned.correlation().getFuture().complete(new CorrelationData.Confirm(false, "abandoned: " + reason));
            if (leader) {
                retry.put(id, abandoned.fields());
            }
        }
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
        nextLeaseCheck = System.nanoTime();
        sender = new Thread(this::sendLoop, "outbox-relay-send");
        sender.setDaemon(true);
        sender.start();
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
        if (sender != null) {
            sender.interrupt();
        }
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

    /** Stream ids ({@code millis-sequence}) in the stream's order. */
    static int compareIds(String a, String b) {
        int dashA = a.indexOf('-');
        int dashB = b.indexOf('-');
        int byTime = Long.compare(Long.parseLong(a.substring(0, dashA)), Long.parseLong(b.substring(0, dashB)));
        return byTime != 0 ? byTime
                : Long.compare(Long.parseLong(a.substring(dashA + 1)), Long.parseLong(b.substring(dashB + 1)));
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "relay";
        }
    }
}
