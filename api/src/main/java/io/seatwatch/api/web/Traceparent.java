package io.seatwatch.api.web;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The W3C {@code traceparent} an event carries: the caller's when it sent a valid one, otherwise a
 * new trace started here.
 */
public final class Traceparent {

    private static final Pattern VALID = Pattern.compile("00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Traceparent() {}

    public static String of(ServerHttpRequest request) {
        String header = request.getHeaders().getFirst("traceparent");
        if (header != null && VALID.matcher(header.trim()).matches()) {
            return header.trim();
        }
        byte[] trace = new byte[16];
        byte[] span = new byte[8];
        RANDOM.nextBytes(trace);
        RANDOM.nextBytes(span);
        HexFormat hex = HexFormat.of();
        return "00-" + hex.formatHex(trace) + "-" + hex.formatHex(span) + "-01";
    }
}
