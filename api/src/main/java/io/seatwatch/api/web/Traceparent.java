package io.seatwatch.api.web;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.handler.TracingObservationHandler.TracingContext;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;

/**
 * The W3C {@code traceparent} an event carries, so the notifiers' log lines share the request's trace id:
 * the span of the request's server observation (a child of the caller's {@code traceparent}, when it
 * sent a valid one); without tracing, the caller's header, else a new trace started here.
 */
public final class Traceparent {

    private static final Pattern VALID = Pattern.compile("00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Traceparent() {}

    public static String of(ServerWebExchange exchange) {
        return ServerRequestObservationContext.findCurrent(exchange.getAttributes())
                .map(context -> context.<TracingContext>get(TracingContext.class))
                .map(TracingContext::getSpan)
                // An unsampled span is a no-op span, but its ids are real and the trace continues: keep them.
                .map(Span::context)
                .filter(context -> context.traceId() != null && !context.traceId().isEmpty())
                .map(Traceparent::format)
                .orElseGet(() -> fromHeader(exchange.getRequest().getHeaders().getFirst("traceparent")));
    }

    private static String format(TraceContext context) {
        return "00-" + context.traceId() + "-" + context.spanId() + "-" + (Objects.equals(context.sampled(), Boolean.TRUE) ? "01" : "00");
    }

    private static String fromHeader(String header) {
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
