package io.seatwatch.notifier.webhook.delivery;

import java.time.Instant;

/** Redis TIME as the scripts carry it: decimal microseconds since the epoch. */
final class Micros {

    private Micros() {}

    static Instant toInstant(String micros) {
        long value = Long.parseLong(micros);
        return Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1_000L);
    }
}
