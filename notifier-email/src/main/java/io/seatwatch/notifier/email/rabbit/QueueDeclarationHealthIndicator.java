package io.seatwatch.notifier.email.rabbit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.core.NestedExceptionUtils;

/**
 * {@code queues} (part of readiness): DOWN when a queue the binder declared does not exist on the broker
 * as declared. RabbitMQ refuses to redeclare a queue with other arguments (classic to quorum, other
 * dead-letter settings) with {@code PRECONDITION_FAILED}; the binder only logs that and consumes the old
 * queue, so this check declares each recorded queue again, passively first (a missing queue is not
 * created here) and then with the recorded arguments, which the broker accepts only if they match.
 * UNKNOWN while the broker is unreachable. A result is kept for five seconds, so frequent probes do not
 * make the broker log a refused declaration each time.
 */
class QueueDeclarationHealthIndicator implements HealthIndicator {

    private static final Duration RECHECK = Duration.ofSeconds(5);

    private final DeclaredQueues queues;
    private final RabbitTemplate rabbit;
    private volatile Health last;
    private volatile long checkedAt;

    QueueDeclarationHealthIndicator(DeclaredQueues queues, ConnectionFactory connections) {
        this.queues = queues;
        this.rabbit = new RabbitTemplate(connections);
    }

    @Override
    public Health health() {
        Health cached = last;
        if (cached != null && System.nanoTime() - checkedAt < RECHECK.toNanos()) {
            return cached;
        }
        Health fresh = check();
        last = fresh;
        checkedAt = System.nanoTime();
        return fresh;
    }

    private Health check() {
        Map<String, String> results = new LinkedHashMap<>();
        boolean down = false;
        for (Queue queue : queues.all()) {
            try {
                rabbit.execute(channel -> {
                    channel.queueDeclarePassive(queue.getName());
                    return null;
                });
            } catch (AmqpConnectException e) {
                return Health.unknown().withDetail("error", "broker unreachable: " + e.getMessage()).build();
            } catch (RuntimeException e) {
                results.put(queue.getName(), "missing: " + reason(e));
                down = true;
                continue;
            }
            try {
                rabbit.execute(channel -> channel.queueDeclare(queue.getName(), queue.isDurable(), queue.isExclusive(),
                        queue.isAutoDelete(), queue.getArguments()));
                results.put(queue.getName(), "as declared " + queue.getArguments());
            } catch (AmqpConnectException e) {
                return Health.unknown().withDetail("error", "broker unreachable: " + e.getMessage()).build();
            } catch (RuntimeException e) {
                results.put(queue.getName(), "differs from the declaration: " + reason(e));
                down = true;
            }
        }
        return (down ? Health.down() : Health.up()).withDetails(results).build();
    }

    private static String reason(Throwable e) {
        Throwable cause = NestedExceptionUtils.getMostSpecificCause(e);
        String text = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        int reply = text.indexOf("reply-text=");
        if (reply >= 0) {
            text = text.substring(reply + "reply-text=".length());
            int end = text.indexOf(", class-id");
            text = end >= 0 ? text.substring(0, end) : text;
        }
        return text;
    }
}
