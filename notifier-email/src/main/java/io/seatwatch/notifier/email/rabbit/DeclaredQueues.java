package io.seatwatch.notifier.email.rabbit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.amqp.core.Queue;

/** The durable queues the binder declared (its consumer queue and dead-letter queue), by name. */
class DeclaredQueues {

    private final Map<String, Queue> queues = new ConcurrentHashMap<>();

    void add(Queue queue) {
        if (queue.isDurable() && !queue.isExclusive() && !queue.isAutoDelete()) {
            queues.put(queue.getName(), queue);
        }
    }

    List<Queue> all() {
        return List.copyOf(queues.values());
    }
}
