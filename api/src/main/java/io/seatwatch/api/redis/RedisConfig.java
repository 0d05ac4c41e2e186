package io.seatwatch.api.redis;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;

@Configuration
class RedisConfig {

    /**
     * One pub/sub connection shared by every live position stream of this replica. Created on the first stream
     * (lazy here and where it is injected), because it connects as it is constructed: eagerly, the api could not
     * start while Redis is away (it now starts not ready), nor run a class-data-sharing training start without it.
     */
    @Lazy
    @Bean(destroyMethod = "destroy")
    ReactiveRedisMessageListenerContainer redisListenerContainer(ReactiveRedisConnectionFactory factory) {
        return new ReactiveRedisMessageListenerContainer(factory);
    }
}
