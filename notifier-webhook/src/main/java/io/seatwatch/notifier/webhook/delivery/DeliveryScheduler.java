package io.seatwatch.notifier.webhook.delivery;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.seatwatch.notifier.webhook.WebhookNotifierProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Runs due deliveries: every poll interval, and at once when an event was accepted, it claims what is due (up
 * to the free in-flight slots) from the Redis schedule and starts each step. Nothing waits in memory between
 * attempts: any replica claims the next attempt of any delivery, and a replica that stops leaves its leased
 * deliveries to the others when the leases end.
 */
@Component
public class DeliveryScheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryScheduler.class);
    private static final int MAX_CLAIM = 100;

    private final DeliveryStore store;
    private final DeliveryWorker worker;
    private final WebhookNotifierProperties properties;
    private final String owner;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Sinks.Many<Boolean> wakeups = Sinks.many().multicast().directBestEffort();
    private volatile Disposable loop;

    DeliveryScheduler(DeliveryStore store, DeliveryWorker worker, WebhookNotifierProperties properties, MeterRegistry meters) {
        this.store = store;
        this.worker = worker;
        this.properties = properties;
        this.owner = hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        Gauge.builder("seatwatch.webhooks.in-flight", inFlight, AtomicInteger::get).register(meters);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "notifier";
        }
    }

    /** This replica's name in leases and in the delivery log ({@code by}). */
    public String owner() {
        return owner;
    }

    /** Look for due deliveries now rather than at the next poll. */
    public void wake() {
        wakeups.emitNext(Boolean.TRUE, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(100)));
    }

    @Override
    public void start() {
        loop = Flux.merge(Flux.interval(Duration.ZERO, properties.pollInterval()).map(tick -> Boolean.TRUE), wakeups.asFlux())
                .onBackpressureDrop()
                .concatMap(tick -> pump(), 1)
                .subscribe();
        log.info("Webhook deliveries run as {}", owner);
    }

    /** Claims as many due deliveries as there are free slots and starts them; never errors. */
    private Mono<Void> pump() {
        int free = properties.maxInFlight() - inFlight.get();
        if (free <= 0) {
            return Mono.empty();
        }
        int max = Math.min(free, MAX_CLAIM);
        return store.claim(max, owner)
                .doOnNext(tasks -> {
                    tasks.forEach(this::run);
                    if (tasks.size() == max) {
                        wake();
                    }
                })
                .then()
                .onErrorResume(e -> {
                    log.warn("Could not claim due webhook deliveries: {}", e.toString());
                    return Mono.empty();
                });
    }

    private void run(Task task) {
        inFlight.incrementAndGet();
        worker.process(task, owner)
                .onErrorResume(e -> {
                    // The lease runs out and the delivery is claimed again.
                    log.warn("Webhook delivery step for event {} failed: {}", task.eventId(), e.toString());
                    return Mono.empty();
                })
                .doFinally(signal -> inFlight.decrementAndGet())
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable l = loop;
        if (l != null) {
            l.dispose();
        }
        loop = null;
        // Let attempts in flight finish and be recorded; what does not finish is taken over after its lease.
        Flux.interval(Duration.ofMillis(20)).filter(i -> inFlight.get() == 0).next()
                .timeout(properties.attemptTimeout().plusSeconds(1), Mono.just(-1L))
                .block();
    }

    @Override
    public boolean isRunning() {
        return loop != null;
    }

    public int inFlight() {
        return inFlight.get();
    }
}
