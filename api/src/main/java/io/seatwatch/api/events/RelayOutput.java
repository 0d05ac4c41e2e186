package io.seatwatch.api.events;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * The Flux of the {@code relay} Supplier, which the binder publishes from. It never errors and never completes
 * while the application runs: an error would end the binding for good. Publisher adapters emit into it.
 */
public final class RelayOutput {

    private static final Logger log = LoggerFactory.getLogger(RelayOutput.class);

    // Multicast without auto-cancel: a binding that is stopped and started again subscribes anew (a unicast
    // sink would refuse the second subscriber and end the binding for good).
    private final Sinks.Many<Message<byte[]>> sink = Sinks.many().multicast()
            .onBackpressureBuffer(Queues.SMALL_BUFFER_SIZE, false);
    private final AtomicBoolean subscribed = new AtomicBoolean();

    /** The binding's Flux. */
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

    /**
     * Emits one message. While the binding has demand it publishes the message on this thread before this returns,
     * which a publisher that holds a channel for its thread relies on. False when the binding is not consuming.
     */
    public boolean emit(Message<byte[]> message) {
        return sink.tryEmitNext(message).isSuccess();
    }

    /** True while the binding consumes the Flux. */
    public boolean bound() {
        return subscribed.get();
    }
}
