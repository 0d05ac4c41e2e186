package io.seatwatch.api.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.messaging.Message;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * Relays the outbox stream to the {@code relay} output binding (docs/architecture.md, section "Outbox and relay"),
 * on any broker: the broker is behind {@link RelayPublisher}, one adapter per binder. This class only orders the
 * parts: the lease ({@link RelayLease}), the outbox ({@link OutboxStore}) and what is in flight
 * ({@link InFlightEntries}).
 *
 * <p>All state lives on one thread ({@code loop}); Redis calls and the broker's answers hop back onto it. An entry
 * is settled (XACK + XDEL) only once the broker acknowledged it; a refusal is counted and the entry retried after
 * {@code reclaimIdle}, moving to the dead-entry stream after {@code maxAttempts}; an outage (no broker, no answer
 * within {@code confirmTimeout}) is not counted: the relay keeps those entries, backs off (at most
 * {@code maxBackoff}) and probes with them, one at a time, so the broker's return is noticed within one backoff.
 */
public class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    static final String GROUP = OutboxStore.GROUP;
    private static final Duration BUSY_TICK = Duration.ofMillis(2);

    private final RelayProperties properties;
    private final JsonMapper json;
    private final RelayPublisher publisher;
    private final RelayOutput output;
    private final RelayLease lease;
    private final OutboxStore store;
    private final InFlightEntries entries;

    // Daemon: only stop() disposes it, and a relay whose context was never stopped must not keep the JVM up.
    private final Scheduler loop = Schedulers.newSingle("outbox-relay", true);

    // Loop-thread state.
    private boolean leader;
    private long nextLeaseCheck;
    private volatile boolean running;

    private final MeterRegistry meters;
    private final Counter published;
    private final Counter confirmed;
    private final Counter dead;
    private final Counter outages;

    public OutboxRelay(RelayProperties properties, RelayLease lease, OutboxStore store, RelayPublisher publisher,
                       RelayOutput output, JsonMapper json, MeterRegistry meters) {
        this.properties = properties;
        this.json = json;
        this.publisher = publisher;
        this.output = output;
        this.lease = lease;
        this.store = store;
        this.entries = new InFlightEntries(properties.confirmTimeout().toNanos(), properties.maxBackoff().toMillis());
        this.meters = meters;
        this.published = meters.counter("seatwatch.relay.published");
        this.confirmed = meters.counter("seatwatch.relay.confirmed");
        this.dead = meters.counter("seatwatch.relay.dead");
        this.outages = meters.counter("seatwatch.relay.broker.failures");
        Gauge.builder("seatwatch.relay.leader", this, r -> r.leader ? 1 : 0)
                .description("1 while this replica holds the relay lease").register(meters);
        Gauge.builder("seatwatch.relay.in.flight", entries, InFlightEntries::inFlight).register(meters);
    }

    /** A name for this replica's relay: its lease holder and its consumer in the outbox's group. */
    static String newOwner() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "relay";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The output binding's Flux: it never errors, so the binding is never lost. */
    public Flux<Message<byte[]>> messages() {
        return output.messages();
    }

    /** True while the binding consumes the Flux. */
    public boolean bound() {
        return output.bound();
    }

    public String owner() {
        return lease.owner();
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
        return leaseStep.then(Mono.defer(this::settle)).publishOn(loop).then(Mono.defer(() -> {
            boolean wasProbing = entries.probing();
            for (String id : entries.expire(leader, System.nanoTime())) {
                outage(id, "no answer within " + properties.confirmTimeout(), wasProbing);
                wasProbing = true;
            }
            if (!leader) {
                return Mono.just(properties.leaseTtl().dividedBy(3));
            }
            long wait = entries.backoffLeft(System.nanoTime());
            if (wait > 0) {
                return Mono.just(Duration.ofNanos(wait));
            }
            // After an outage, probe with one entry until the broker acknowledges again.
            int window = entries.probing() ? 1 : properties.batchSize();
            int want = Math.min(window, properties.maxInFlight() - entries.inFlight());
            if (want <= 0) {
                return Mono.just(BUSY_TICK);
            }
            if (entries.resendWaiting()) {
                for (int i = 0; i < want && entries.resendWaiting(); i++) {
                    publish(entries.nextResend());
                }
                return Mono.just(BUSY_TICK);
            }
            return store.fetch(want).publishOn(loop).map(fetched -> {
                if (fetched.leaseLost()) {
                    log.info("Outbox relay lease lost by {}", owner());
                    lostLease();
                    return properties.leaseTtl().dividedBy(3);
                }
                fetched.entries().forEach(this::publish);
                if (fetched.entries().size() == want) {
                    return Duration.ZERO;
                }
                return entries.idle() ? properties.pollInterval() : BUSY_TICK;
            });
        }));
    }

    private Mono<Void> checkLease() {
        nextLeaseCheck = System.nanoTime() + properties.leaseTtl().dividedBy(3).toNanos();
        if (!output.bound()) {
            // A stopped binding does not resubscribe (Spring Cloud Stream destroys its reactive channel):
            // this replica cannot publish, so it leaves the lease to a standby.
            boolean held = leader;
            lostLease();
            return held ? lease.release() : Mono.empty();
        }
        return lease.takeOrRenew()
                .publishOn(loop)
                .doOnNext(state -> {
                    if (state.held() != leader) {
                        log.info(state.held() ? "Outbox relay lease taken by {}" : "Outbox relay lease lost by {} to {}",
                                owner(), state.holder());
                    }
                    log.debug("Outbox relay lease check by {}: held={}", owner(), state.held());
                    if (state.held()) {
                        leader = true;
                    } else {
                        lostLease();
                    }
                })
                .then();
    }

    private void lostLease() {
        leader = false;
        entries.leaseLost();
    }

    private void publish(OutboxStore.Entry entry) {
        if (entries.busy(entry.id())) {
            return;
        }
        Message<byte[]> message;
        try {
            message = EventMessages.toMessage(entry.fields(), json);
        } catch (RuntimeException e) {
            // A malformed entry can never be published: count it toward the dead-entry stream.
            long attempt = entries.nextAttempt();
            entries.sent(entry, attempt, reason -> { }, System.nanoTime());
            refused(entry.id(), new PublishOutcome.Refused("unpublishable", "unpublishable entry: " + e));
            return;
        }
        long attempt = entries.nextAttempt();
        published.increment();
        String id = entry.id();
        RelayPublisher.Publication publication = publisher.publish(message, entry.fields().get("classId"),
                outcome -> loop.schedule(() -> answered(id, attempt, outcome)));
        entries.sent(entry, attempt, publication, System.nanoTime());
    }

    private void answered(String id, long attempt, PublishOutcome outcome) {
        boolean wasProbing = entries.probing();
        switch (entries.answered(id, attempt, outcome, leader, System.nanoTime())) {
            case ACKNOWLEDGED -> {
                confirmed.increment();
                if (wasProbing) {
                    log.info("Outbox relay: broker available again");
                }
            }
            case REFUSED -> refused(id, (PublishOutcome.Refused) outcome);
            case OUTAGE -> outage(id, ((PublishOutcome.Outage) outcome).reason(), wasProbing);
            case STALE -> { }
        }
    }

    /** The broker refused the message: counted; the entry is reclaimed later or moves to the dead stream. */
    private void refused(String id, PublishOutcome.Refused refusal) {
        meters.counter("seatwatch.relay.refused", "kind", refusal.kind()).increment();
        store.refuse(id, refusal.reason())
                .publishOn(loop)
                .doFinally(s -> entries.refusalCounted(id))
                .subscribe(counted -> {
                    if (counted.dead()) {
                        dead.increment();
                        log.error("Outbox entry {} moved to the dead-entry stream after {} attempts: {}", id,
                                counted.attempts(), refusal.reason());
                    } else {
                        log.warn("Outbox entry {} refused by the broker ({}), attempt {}", id, refusal.reason(),
                                counted.attempts());
                    }
                }, e -> log.warn("Could not record the failure of outbox entry {}: {}", id, e.toString()));
    }

    /** Counted, and logged once per outage; the entry itself is already kept for a resend. */
    private void outage(String id, String reason, boolean alreadyOut) {
        outages.increment();
        if (alreadyOut) {
            log.debug("Outbox relay: broker still unavailable ({}), entry {}", reason, id);
        } else {
            log.warn("Outbox relay: broker unavailable ({}); entries wait in the outbox", reason);
        }
    }

    private Mono<Void> settle() {
        List<String> ids = entries.toSettle();
        if (ids.isEmpty()) {
            return Mono.empty();
        }
        return store.ack(ids).publishOn(loop).doOnSuccess(v -> entries.settled(ids));
    }

    // ---- lifecycle ----

    @Override
    public void start() {
        running = true;
        nextLeaseCheck = System.nanoTime();
        publisher.start();
        loop.schedule(this::tick);
    }

    @Override
    public void stop() {
        CountDownLatch drained = new CountDownLatch(1);
        // Let the answers for what is in flight arrive, settle them, then hand the lease over.
        loop.schedule(() -> {
            running = false;
            Flux.interval(Duration.ofMillis(20), loop)
                    .takeUntil(i -> entries.inFlight() == 0 || i * 20 >= properties.confirmTimeout().toMillis())
                    .then(Mono.defer(this::settle))
                    .then(Mono.defer(() -> leader ? lease.release() : Mono.empty()))
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
        publisher.stop();
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
}
