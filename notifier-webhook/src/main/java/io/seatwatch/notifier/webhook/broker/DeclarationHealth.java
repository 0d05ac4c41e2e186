package io.seatwatch.notifier.webhook.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ChannelListener;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Readiness against a broker that refused the binder's declarations. When a queue or exchange exists with
 * other arguments (classic instead of quorum, no dead-letter queue), RabbitMQ answers PRECONDITION_FAILED,
 * the binder only logs it and consumes the old queue anyway (docs/architecture.md, section "Quorum queues with
 * dead-letter queues"). This listener on the connection factory remembers such a refusal and turns readiness
 * DOWN until the queue is fixed and the app restarted.
 *
 * <p>The only RabbitMQ-specific code of the notifier, kept apart from the delivery code and active only with
 * the Rabbit binder's connection factory.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.springframework.amqp.rabbit.connection.CachingConnectionFactory")
class DeclarationHealth {

    private static final Logger log = LoggerFactory.getLogger(DeclarationHealth.class);
    private static final int PRECONDITION_FAILED = 406;
    private static final int EXCHANGE_CLASS = 40;
    private static final int QUEUE_CLASS = 50;
    private static final int DECLARE_METHOD = 10;

    @Bean
    HealthIndicator brokerDeclarations(ObjectProvider<CachingConnectionFactory> connectionFactory) {
        AtomicReference<String> refused = new AtomicReference<>();
        CachingConnectionFactory connections = connectionFactory.getIfAvailable();
        if (connections == null) {
            return () -> Health.up().withDetail("watching", false).build();
        }
        connections.addChannelListener(new ChannelListener() {
            @Override
            public void onCreate(Channel channel, boolean transactional) {
                // nothing to do
            }

            @Override
            public void onShutDown(ShutdownSignalException signal) {
                if (signal.getReason() instanceof AMQP.Channel.Close close && close.getReplyCode() == PRECONDITION_FAILED
                        && close.getMethodId() == DECLARE_METHOD
                        && (close.getClassId() == QUEUE_CLASS || close.getClassId() == EXCHANGE_CLASS)
                        && refused.compareAndSet(null, close.getReplyText())) {
                    log.error("The broker refused a declaration; readiness is DOWN until it is fixed and the app restarted: {}",
                            close.getReplyText());
                }
            }
        });
        return () -> refused.get() == null ? Health.up().build()
                : Health.down().withDetail("refused", refused.get()).build();
    }
}
