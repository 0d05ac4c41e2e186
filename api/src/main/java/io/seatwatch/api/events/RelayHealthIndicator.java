package io.seatwatch.api.events;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Part of readiness: a replica whose relay binding does not consume the relay's Flux (the binding is
 * stopped, or was never bound) cannot relay when it gets the lease. The broker's own state is not part
 * of it, so drops keep working while RabbitMQ is down.
 */
@Component
class RelayHealthIndicator implements HealthIndicator {

    private final ObjectProvider<OutboxRelay> relay;

    RelayHealthIndicator(ObjectProvider<OutboxRelay> relay) {
        this.relay = relay;
    }

    @Override
    public Health health() {
        OutboxRelay r = relay.getIfAvailable();
        if (r == null) {
            return Health.up().withDetail("relay", "disabled").build();
        }
        return (r.bound() && r.isRunning() ? Health.up() : Health.down())
                .withDetail("binding", "relay-out-0")
                .withDetail("consuming", r.bound())
                .build();
    }
}
