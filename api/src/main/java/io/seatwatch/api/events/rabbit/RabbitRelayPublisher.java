package io.seatwatch.api.events.rabbit;

import com.rabbitmq.client.Channel;
import io.seatwatch.api.events.EventMessages;
import io.seatwatch.api.events.PublishOutcome;
import io.seatwatch.api.events.RelayOutput;
import io.seatwatch.api.events.RelayPublisher;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.support.AmqpHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;

/**
 * The relay's publisher on RabbitMQ: publisher confirms and returns, through the binding's own template.
 *
 * <p>Messages are handed to the binding on one sender thread that keeps the binding's RabbitTemplate in a scoped
 * operation, so every publish goes over one channel: confirms pipeline as in PerfTest, and messages reach the broker
 * in the order they were published, which keeps each class's events in sequence. (Without the scope the template
 * takes a channel per send and, with correlated confirms, caches it only after its acks, so pipelined sends spread
 * over many channels, overtake each other and cost a thread hand-off each.) That channel is checked before each
 * send: one the broker closed while the relay was idle (a restart) is given up for a new one instead of failing the
 * next publish.
 */
public final class RabbitRelayPublisher implements RelayPublisher {

    private static final Logger log = LoggerFactory.getLogger(RabbitRelayPublisher.class);

    private final RelayOutput output;
    private final BlockingDeque<Message<byte[]>> outgoing = new LinkedBlockingDeque<>();
    private final AtomicReference<RabbitTemplate> template = new AtomicReference<>();
    private volatile boolean channelBroken;
    private volatile boolean running;
    private Thread sender;

    public RabbitRelayPublisher(RelayOutput output) {
        this.output = output;
    }

    /** The binding's template, whose scoped operation gives the sender thread its one channel. */
    void useTemplate(RabbitTemplate bindingTemplate) {
        log.debug("Outbox relay publishes with the binding's template {}", bindingTemplate);
        template.set(bindingTemplate);
    }

    @Override
    public Publication publish(Message<byte[]> message, String orderKey, Consumer<PublishOutcome> outcome) {
        CorrelationData correlation = new CorrelationData((String) message.getHeaders().get(EventMessages.EVENT_ID));
        correlation.getFuture().whenComplete((confirm, error) -> outcome.accept(outcome(correlation, confirm, error)));
        outgoing.add(MessageBuilder.fromMessage(message)
                .setHeader(AmqpHeaders.MESSAGE_ID, message.getHeaders().get(EventMessages.EVENT_ID))
                .setHeader(AmqpHeaders.PUBLISH_CONFIRM_CORRELATION, correlation)
                .build());
        return reason -> correlation.getFuture().complete(new CorrelationData.Confirm(false, "abandoned: " + reason));
    }

    private static PublishOutcome outcome(CorrelationData correlation, CorrelationData.Confirm confirm, Throwable error) {
        ReturnedMessage returned = correlation.getReturned();
        if (returned != null) {
            return new PublishOutcome.Refused("unroutable", "unroutable: " + returned.getReplyCode() + " "
                    + returned.getReplyText() + " exchange=" + returned.getExchange() + " routingKey="
                    + returned.getRoutingKey());
        }
        if (confirm == null) {
            return new PublishOutcome.Outage(String.valueOf(error));
        }
        if (confirm.ack()) {
            return PublishOutcome.ACKNOWLEDGED;
        }
        // A nack carries no reason; a failure the relay or the error channel recorded does.
        return confirm.reason() == null ? new PublishOutcome.Refused("nacked", "nack")
                : new PublishOutcome.Outage(confirm.reason());
    }

    /**
     * A publish failed before it reached the broker; the binder reports it on the error channel, on the sender
     * thread. The channel is given up and a new one opened for the next message.
     */
    void sendFailed(CorrelationData correlation, Throwable cause) {
        channelBroken = true;
        correlation.getFuture().complete(new CorrelationData.Confirm(false, "send failed: " + cause));
    }

    @Override
    public void start() {
        running = true;
        sender = new Thread(this::sendLoop, "outbox-relay-send");
        sender.setDaemon(true);
        sender.start();
    }

    @Override
    public void stop() {
        running = false;
        if (sender != null) {
            sender.interrupt();
        }
    }

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
                        .get(AmqpHeaders.PUBLISH_CONFIRM_CORRELATION);
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
                if (!output.emit(message)) {
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
}
