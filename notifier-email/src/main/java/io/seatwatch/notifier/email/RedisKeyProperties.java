package io.seatwatch.notifier.email;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The prefix every Redis key starts with ({@code seatwatch.redis.key-prefix}, as in the api).
 *
 * @param keyPrefix prefix of every key this app writes
 */
@Validated
@ConfigurationProperties("seatwatch.redis")
public record RedisKeyProperties(@NotBlank @DefaultValue("sw:v1:") String keyPrefix) {}
