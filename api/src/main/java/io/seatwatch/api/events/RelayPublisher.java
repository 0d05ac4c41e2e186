package io.seatwatch.api.events;

import java.util.function.Consumer;
import org.springframework.messaging.Message;

/**
 * The relay's one broker-aware part: puts an event message on the relay's output binding and reports the
 * broker's answer. One adapter per binder (package {@code rabbit}, package {@code kafka}); the relay knows only
 * this interface and {@link PublishOutcome}.
 */
public interface RelayPublisher {

    /**
     * Hands the message to the binding. Messages with the same {@code orderKey} (the class) must reach consumers
     * in the order they are published here. {@code outcome} is called once, on any thread, unless the publication
     * was {@linkplain Publication#abandon abandoned} first; a late answer after that is dropped by the caller anyway.
     */
    Publication publish(Message<byte[]> message, String orderKey, Consumer<PublishOutcome> outcome);

    /** A message on its way. */
    interface Publication {
        /** The relay stopped waiting for it (an outage, a timeout): if it has not left yet, it never will. */
        void abandon(String reason);
    }

    /** Starts whatever the adapter runs on its own (a sender thread); called when the relay starts. */
    default void start() {
    }

    /** Stops it; called when the relay stops, after its last outcomes came. */
    default void stop() {
    }
}
