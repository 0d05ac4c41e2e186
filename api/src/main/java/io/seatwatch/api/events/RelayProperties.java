package io.seatwatch.api.events;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The outbox relay ({@code seatwatch.relay.*}).
 *
 * @param enabled        whether this replica takes part (as holder or standby)
 * @param maxInFlight    published messages awaiting their confirm, at most
 * @param batchSize      entries read from the outbox per round trip
 * @param pollInterval   pause between reads when the outbox is empty
 * @param leaseTtl       how long the lease lasts without renewal; a standby takes over after it
 * @param confirmTimeout a publish not confirmed in this time counts as a broker outage
 * @param reclaimIdle    pending entries idle this long are reclaimed and published again; longer than
 *                       confirmTimeout, so nothing in flight is sent twice by the same holder
 * @param maxAttempts    refusals (nack, unroutable) after which an entry moves to the dead-entry stream
 * @param maxBackoff     longest pause between probes while the broker is unreachable: the next promotion after
 *                       its return waits at most this long
 */
@ConfigurationProperties("seatwatch.relay")
public record RelayProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("1000") int maxInFlight,
        @DefaultValue("500") int batchSize,
        @DefaultValue("20ms") Duration pollInterval,
        @DefaultValue("10s") Duration leaseTtl,
        @DefaultValue("10s") Duration confirmTimeout,
        @DefaultValue("30s") Duration reclaimIdle,
        @DefaultValue("10") int maxAttempts,
        @DefaultValue("500ms") Duration maxBackoff) {}
