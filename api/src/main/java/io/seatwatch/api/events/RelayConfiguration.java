package io.seatwatch.api.events;

import io.micrometer.core.instrument.MeterRegistry;
import io.seatwatch.api.redis.LuaScripts;
import io.seatwatch.api.redis.RedisKeys;
import java.util.function.Supplier;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.support.AmqpHeaders;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.integration.amqp.support.NackedAmqpMessageException;
import org.springframework.integration.amqp.support.ReturnedAmqpMessageException;
import org.springframework.context.annotation.Bean;
import org.springframework.cloud.stream.config.ProducerMessageHandlerCustomizer;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.amqp.outbound.AmqpOutboundEndpoint;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.SubscribableChannel;
import org.springframework.messaging.support.ErrorMessage;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * The relay is the {@code relay} Supplier: its output binding ({@code relay-out-0}) and destination are
 * configured only in {@code spring.cloud.stream.bindings.*}.
 */
@Configuration
@ConditionalOnProperty(name = "seatwatch.relay.enabled", havingValue = "true", matchIfMissing = true)
class RelayConfiguration {

    @Bean
    OutboxRelay outboxRelay(RelayProperties properties, RedisKeys keys, LuaScripts scripts, JsonMapper json,
                            MeterRegistry meters, @Qualifier("errorChannel") SubscribableChannel errors) {
        OutboxRelay relay = new OutboxRelay(properties, keys, scripts, json, meters);
        // Spring Integration's default error logger is switched off (application.yml): the relay logs its
        // own failures, and anything else on the error channel is logged here.
        errors.subscribe(message -> {
            // Returns and nacks also arrive here, but their confirm carries them: only sends that never
            // reached the broker are handled here.
            if (message instanceof ErrorMessage error && error.getPayload() instanceof MessagingException failure
                    && !(failure instanceof ReturnedAmqpMessageException) && !(failure instanceof NackedAmqpMessageException)
                    && failure.getFailedMessage() != null
                    && failure.getFailedMessage().getHeaders().get(AmqpHeaders.PUBLISH_CONFIRM_CORRELATION)
                            instanceof CorrelationData correlation) {
                relay.sendFailed(correlation, failure.getMostSpecificCause());
            } else if (!(message.getPayload() instanceof ReturnedAmqpMessageException)
                    && !(message.getPayload() instanceof NackedAmqpMessageException)) {
                LoggerFactory.getLogger(RelayConfiguration.class).error("Error on the relay's error channel: {}",
                        message.getPayload());
            }
        });
        return relay;
    }

    /**
     * Hands the binding's template to the relay, whose sender thread publishes over one channel with it.
     * Declared for any MessageHandler: the binder injects {@code List<ProducerMessageHandlerCustomizer<MessageHandler>>}
     * and a narrower type argument would not be injected.
     */
    @Bean
    ProducerMessageHandlerCustomizer<MessageHandler> relayTemplate(OutboxRelay relay) {
        return (handler, destination) -> {
            if (handler instanceof AmqpOutboundEndpoint endpoint) {
                // The template's own observation would start a trace per publish on the relay thread and write it
                // over the event's traceparent header (the request's trace, which the notifiers must continue).
                endpoint.getRabbitTemplate().setObservationEnabled(false);
                relay.useTemplate(endpoint.getRabbitTemplate());
            }
        };
    }

    @Bean
    Supplier<Flux<Message<byte[]>>> relay(OutboxRelay relay) {
        return relay::messages;
    }
}
