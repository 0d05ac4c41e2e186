package io.seatwatch.api.events;

import io.micrometer.core.instrument.MeterRegistry;
import io.seatwatch.api.redis.LuaScripts;
import io.seatwatch.api.redis.RedisKeys;
import java.util.function.Supplier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * The relay is the {@code relay} Supplier: its output binding ({@code relay-out-0}), destination and binder are
 * configured only in {@code spring.cloud.stream.*}. The {@link RelayPublisher} comes from the selected binder's
 * adapter.
 */
@Configuration
@ConditionalOnProperty(name = "seatwatch.relay.enabled", havingValue = "true", matchIfMissing = true)
class RelayConfiguration {

    @Bean
    RelayOutput relayOutput() {
        return new RelayOutput();
    }

    @Bean
    OutboxRelay outboxRelay(RelayProperties properties, RedisKeys keys, LuaScripts scripts, RelayPublisher publisher,
                            RelayOutput output, JsonMapper json, MeterRegistry meters) {
        String owner = OutboxRelay.newOwner();
        return new OutboxRelay(properties, new RelayLease(scripts, keys, owner, properties.leaseTtl()),
                new OutboxStore(scripts, keys, owner, properties.reclaimIdle(), properties.maxAttempts()),
                publisher, output, json, meters);
    }

    @Bean
    Supplier<Flux<Message<byte[]>>> relay(OutboxRelay relay) {
        return relay::messages;
    }
}
