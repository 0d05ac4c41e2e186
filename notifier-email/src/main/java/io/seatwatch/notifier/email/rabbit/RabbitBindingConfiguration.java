package io.seatwatch.notifier.email.rabbit;

import io.seatwatch.notifier.email.EmailProperties;
import org.springframework.amqp.core.DeclarableCustomizer;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.MessageListenerContainer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.cloud.stream.config.ListenerContainerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the RabbitMQ binder needs beyond properties; the only place where this app names RabbitMQ types,
 * and inactive under another binder.
 * <ul>
 *   <li>Every queue the binder declares is recorded, so {@link QueueDeclarationHealthIndicator} can tell
 *       whether the broker has it as declared (the binder only logs a refused declaration and goes on
 *       consuming the old queue).</li>
 *   <li>Stopping a listener container waits {@code seatwatch.email.shutdown-timeout} for the message in
 *       progress; one still unfinished is left unacknowledged and redelivered.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.springframework.cloud.stream.binder.rabbit.RabbitMessageChannelBinder")
class RabbitBindingConfiguration {

    @Bean
    DeclaredQueues declaredQueues() {
        return new DeclaredQueues();
    }

    @Bean
    DeclarableCustomizer recordDeclaredQueues(DeclaredQueues queues) {
        return declarable -> {
            if (declarable instanceof Queue queue) {
                queues.add(queue);
            }
            return declarable;
        };
    }

    @Bean
    QueueDeclarationHealthIndicator queuesHealthIndicator(DeclaredQueues queues, ConnectionFactory connections) {
        return new QueueDeclarationHealthIndicator(queues, connections);
    }

    /** Declared for any container: the binder injects {@code ListenerContainerCustomizer<MessageListenerContainer>}. */
    @Bean
    ListenerContainerCustomizer<MessageListenerContainer> gracefulContainerShutdown(EmailProperties properties) {
        return (container, destination, group) -> {
            if (container instanceof AbstractMessageListenerContainer c) {
                c.setShutdownTimeout(properties.shutdownTimeout().toMillis());
            }
        };
    }
}
