package io.seatwatch.api.events;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * EventIds are UUIDs that a script derives from a random per-request nonce and the event's index
 * (see {@code event_id} in scripts/lib.lua): unique without Redis counters, which a crash could repeat.
 */
public final class EventIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private EventIds() {}

    public static String nonce() {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        return HexFormat.of().formatHex(nonce);
    }
}
