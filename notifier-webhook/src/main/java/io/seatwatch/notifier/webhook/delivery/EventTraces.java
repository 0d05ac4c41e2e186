package io.seatwatch.notifier.webhook.delivery;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Delivery steps run long after the message that scheduled them was acked, on the scheduler's threads: the
 * trace is restored from the {@code traceparent} the event carries, so their log lines (and spans, when an
 * exporter is added) belong to the request that caused the promotion.
 */
@Component
class EventTraces {

    private final ObjectProvider<Tracer> tracer;
    private final ObjectProvider<Propagator> propagator;
    private final JsonMapper json;

    EventTraces(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator, JsonMapper json) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.json = json;
    }

    /** Runs {@code action} in a child span of the event's trace; without tracing or trace context, just runs it. */
    void inTraceOf(Task task, String spanName, Runnable action) {
        Tracer t = tracer.getIfAvailable();
        Propagator p = propagator.getIfAvailable();
        String traceparent = traceparent(task.event());
        if (t == null || p == null || traceparent == null) {
            action.run();
            return;
        }
        Span span = p.extract(Map.of("traceparent", traceparent), Map::get).name(spanName).kind(Span.Kind.PRODUCER).start();
        try (Tracer.SpanInScope scope = t.withSpan(span)) {
            action.run();
        } finally {
            span.end();
        }
    }

    /** The event's top-level {@code traceparent}, read with the streaming parser: no tree for a log line. */
    private String traceparent(String event) {
        if (event == null) {
            return null;
        }
        try (JsonParser parser = json.createParser(event)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.PROPERTY_NAME; token = parser.nextToken()) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("traceparent".equals(name)) {
                    return value == JsonToken.VALUE_STRING ? parser.getString() : null;
                }
                parser.skipChildren();
            }
            return null;
        } catch (RuntimeException e) {
            return null; // the event was validated at intake; an unreadable one simply has no trace
        }
    }
}
