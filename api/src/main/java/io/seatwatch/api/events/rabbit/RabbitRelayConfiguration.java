package io.seatwatch.api.events.rabbit;

import io.seatwatch.api.events.RelayOutput;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.support.AmqpHeaders;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.stream.config.ProducerMessageHandlerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.amqp.outbound.AmqpOutboundEndpoint;
import org.springframework.integration.amqp.support.NackedAmqpMessageException;
import org.springframework.integration.amqp.support.ReturnedAmqpMessageException;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.SubscribableChannel;
import org.springframework.messaging.support.ErrorMessage;

/** The relay's adapter for the RabbitMQ binder: active when that binder is the one selected. */
@Configuration
@ConditionalOnProperty(name = "seatwatch.relay.enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnProperty(name = "spring.cloud.stream.default-binder", havingValue = "rabbit", matchIfMissing = true)
class RabbitRelayConfiguration {

    @Bean
    RabbitRelayPublisher rabbitRelayPublisher(RelayOutput output) {
        return new RabbitRelayPublisher(output);
    }

    /**
     * Sends that never reached the broker reach the relay through the error channel (returns and nacks come with
     * their confirm). Spring Integration's default error logger is switched off (application.yml): anything else on
     * the error channel is logged here.
     */
    @Bean
    InitializingBean rabbitRelayErrors(RabbitRelayPublisher publisher,
                                       @Qualifier("errorChannel") SubscribableChannel errors) {
        return () -> errors.subscribe(message -> {
            if (message instanceof ErrorMessage error && error.getPayload() instanceof MessagingException failure
                    && !(failure instanceof ReturnedAmqpMessageException) && !(failure instanceof NackedAmqpMessageException)
                    && failure.getFailedMessage() != null
                    && failure.getFailedMessage().getHeaders().get(AmqpHeaders.PUBLISH_CONFIRM_CORRELATION)
                            instanceof CorrelationData correlation) {
                publisher.sendFailed(correlation, failure.getMostSpecificCause());
            } else if (!(message.getPayload() instanceof ReturnedAmqpMessageException)
                    && !(message.getPayload() instanceof NackedAmqpMessageException)) {
                LoggerFactory.getLogger(RabbitRelayConfiguration.class).error("Error on the relay's error channel: {}",
                        message.getPayload());
            }
        });
    }

    /**
     * Hands the binding's template to the publisher, whose sender thread publishes over one channel with it.
     * Declared for any MessageHandler: the binder injects {@code List<ProducerMessageHandlerCustomizer<MessageHandler>>}
     * and a narrower type argument would not be injected.
     */
    @Bean
    ProducerMessageHandlerCustomizer<MessageHandler> relayTemplate(RabbitRelayPublisher publisher) {
        return (handler, destination) -> {
            if (handler instanceof AmqpOutboundEndpoint endpoint) {
                // The template's own observation would start a trace per publish on the relay thread and write it
                // over the event's traceparent header (the request's trace, which the notifiers must continue).
                endpoint.getRabbitTemplate().setObservationEnabled(false);
                publisher.useTemplate(endpoint.getRabbitTemplate());
            }
        };
    }
}
