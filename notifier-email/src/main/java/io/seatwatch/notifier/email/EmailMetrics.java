package io.seatwatch.notifier.email;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * The app's meters:
 * <ul>
 *   <li>{@code seatwatch.email.sent} {type}: emails the SMTP server accepted;</li>
 *   <li>{@code seatwatch.email.failed} {type, kind=transient|permanent}: failed attempts;</li>
 *   <li>{@code seatwatch.email.deduplicated} {type}: deliveries skipped because the email was sent already;</li>
 *   <li>{@code seatwatch.email.dead.lettered}: messages handed to the dead-letter queue;</li>
 *   <li>{@code seatwatch.email.skipped} {reason=no-address|other-type|expired}: events acknowledged without an email;</li>
 *   <li>{@code seatwatch.email.lease.takeovers}: emails sent after waiting out another claimer's lease;</li>
 *   <li>{@code seatwatch.email.send} {type, outcome}: SMTP send latency;</li>
 *   <li>{@code seatwatch.email.smtp.connections} {state=active|idle}: open SMTP connections.</li>
 * </ul>
 */
@Component
class EmailMetrics {

    private final MeterRegistry meters;
    private final Counter deadLettered;
    private final Counter takeovers;

    EmailMetrics(MeterRegistry meters) {
        this.meters = meters;
        this.deadLettered = counter("seatwatch.email.dead.lettered", "Messages handed to the dead-letter queue");
        this.takeovers = counter("seatwatch.email.lease.takeovers", "Emails sent after waiting out another claimer's lease");
        for (String type : new String[] {EmailEvent.Promotion.TYPE, EmailEvent.Confirmation.TYPE}) {
            sent(type);
            deduplicated(type);
            failed(type, "transient");
            failed(type, "permanent");
        }
    }

    Counter sent(String type) {
        return counter("seatwatch.email.sent", "Emails the SMTP server accepted", "type", type);
    }

    Counter failed(String type, String kind) {
        return counter("seatwatch.email.failed", "Failed send attempts", "type", type, "kind", kind);
    }

    Counter deduplicated(String type) {
        return counter("seatwatch.email.deduplicated", "Deliveries skipped because the email was sent already",
                "type", type);
    }

    Counter skipped(String reason) {
        return counter("seatwatch.email.skipped", "Events acknowledged without an email", "reason", reason);
    }

    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(meters);
    }

    Timer sendTimer(String type, String outcome) {
        return Timer.builder("seatwatch.email.send").description("SMTP send latency")
                .tag("type", type).tag("outcome", outcome).register(meters);
    }

    void watch(SmtpConnections connections) {
        Gauge.builder("seatwatch.email.smtp.connections", connections, SmtpConnections::active)
                .description("Open SMTP connections").tag("state", "active").register(meters);
        Gauge.builder("seatwatch.email.smtp.connections", connections, SmtpConnections::idle)
                .description("Open SMTP connections").tag("state", "idle").register(meters);
    }

    Counter deadLettered() {
        return deadLettered;
    }

    Counter takeovers() {
        return takeovers;
    }
}
