package io.seatwatch.bench.restart;

import io.seatwatch.bench.e2e.Sinks;
import io.seatwatch.bench.e2e.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The restarts' figures: one row per restart, then median and max per case and channel. */
final class Report {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /**
     * One restart measured, in ms. Idle cases: the drop sent when the broker answered again, and its notifications.
     * Drops during the outage: the last of their notifications, per channel, after the broker answered again.
     */
    record Measured(RestartBench.Restart restart, int promotions, int refused, double upToDrop, double upToPublished,
                    double dropToEmail, double dropToWebhook, double upToEmail, double upToWebhook, int lost, int duplicates) {

        static Measured of(RestartBench.Restart r, Sinks sinks, Workload workload, Tap tap) {
            int refused = 0, lost = 0, duplicates = 0;
            double lastEmail = Double.NEGATIVE_INFINITY, lastWebhook = Double.NEGATIVE_INFINITY;
            double lastPublished = Double.NEGATIVE_INFINITY;
            for (Workload.Seat seat : r.seats()) {
                String student = seat.promoted();
                if (!workload.dropped.contains(student)) {
                    refused++;
                    continue;
                }
                long email = RestartBench.first(sinks.emails, student), webhook = RestartBench.first(sinks.webhooks, student);
                lost += (email < 0 ? 1 : 0) + (webhook < 0 ? 1 : 0);
                duplicates += Math.max(0, RestartBench.count(sinks.emails, student) - 1)
                        + Math.max(0, RestartBench.count(sinks.webhooks, student) - 1);
                lastEmail = Math.max(lastEmail, email < 0 ? Double.NaN : (email - r.upAt()) / 1e6);
                lastWebhook = Math.max(lastWebhook, webhook < 0 ? Double.NaN : (webhook - r.upAt()) / 1e6);
                Long published = tap.publishedAt.get(student);
                lastPublished = Math.max(lastPublished, published == null ? Double.NaN : (published - r.upAt()) / 1e6);
            }
            double upToDrop = Double.NaN, dropToEmail = Double.NaN, dropToWebhook = Double.NaN;
            if (!r.dropsDuringOutage() && refused == 0) {
                long sent = workload.dropSentAt.get(r.seats().get(0).promoted());
                upToDrop = (sent - r.upAt()) / 1e6;
                dropToEmail = lastEmail - upToDrop;
                dropToWebhook = lastWebhook - upToDrop;
            }
            return new Measured(r, r.seats().size(), refused, upToDrop, finite(lastPublished), dropToEmail, dropToWebhook,
                    finite(lastEmail), finite(lastWebhook), lost, duplicates);
        }

        private static double finite(double ms) {
            return Double.isInfinite(ms) ? Double.NaN : ms;
        }

        boolean wrong() {
            return refused + lost + duplicates > 0;
        }
    }

    private final List<Measured> rows = new ArrayList<>();
    private final Timeline timeline;
    private final int n;
    private final Duration outage;
    private final int dropsPerOutage;

    Report(List<RestartBench.Restart> restarts, Sinks sinks, Workload workload, Tap tap, Path logs, int n, Duration outage,
           int dropsPerOutage) {
        restarts.forEach(r -> rows.add(Measured.of(r, sinks, workload, tap)));
        this.timeline = new Timeline(logs);
        this.n = n;
        this.outage = outage;
        this.dropsPerOutage = dropsPerOutage;
    }

    boolean wrong() {
        return rows.stream().anyMatch(Measured::wrong);
    }

    /** The progress line printed as each restart completes. */
    static String line(RestartBench.Restart r, Sinks sinks, Workload workload, Tap tap) {
        Measured m = Measured.of(r, sinks, workload, tap);
        return String.format(Locale.ROOT, "%s #%d: down %.2f s, answering %.2f s after the start; "
                        + "answering → drop %s, drop → email %s, drop → webhook %s; answering → %spublished %s, email %s, "
                        + "webhook %s ms; promotions %d, refused %d, lost %d, duplicates %d",
                r.label(), r.index(), (r.upAt() - r.stoppedAt()) / 1e9, (r.upAt() - r.startedAt()) / 1e9, ms(m.upToDrop()),
                ms(m.dropToEmail()), ms(m.dropToWebhook()), r.dropsDuringOutage() ? "last " : "", ms(m.upToPublished()),
                ms(m.upToEmail()), ms(m.upToWebhook()), m.promotions(), m.refused(), m.lost(), m.duplicates());
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "A private RabbitMQ node restarted under the three apps, each restart after "
                + "%d s idle; the broker is down %.1f s before it is started again (%d drops spread over that time in the "
                + "\"drops in outage\" cases). \"Answering\" = the first AMQP connection the node accepts again (polled "
                + "every 10 ms). Idle cases: one drop sent the moment it answers. \"Published\" = the promotion's event "
                + "delivered to a queue of the bench's own bound to the events exchange (declared again as the broker "
                + "answers; – when the relay was quicker): the relay's part of the time. \"Down\" = from the moment the "
                + "stopped or killed node no longer answered until it answered again. Target: notified within %.0f ms "
                + "of answering. Times in ms; the clock is UTC, as in the apps' logs.%n%n", RestartBench.IDLE.toSeconds(), outage.toMillis() / 1e3,
                dropsPerOutage, RestartBench.TARGET_MS));
        md.append("| case | # | answering at | down s | start → answering s | answering → drop | drop → email "
                + "| drop → webhook | answering → published | answering → email | answering → webhook | promotions "
                + "| refused / lost / dup |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Measured m : rows) {
            RestartBench.Restart r = m.restart();
            String last = r.dropsDuringOutage() ? "last " : "";
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %.2f | %.2f | %s | %s | %s | %s%s | %s%s | %s%s | %d | %d / %d / %d |%n",
                    r.label(), r.index(), CLOCK.format(r.upWall()), (r.upAt() - r.stoppedAt()) / 1e9,
                    (r.upAt() - r.startedAt()) / 1e9, ms(m.upToDrop()), ms(m.dropToEmail()), ms(m.dropToWebhook()), last,
                    ms(m.upToPublished()), last, ms(m.upToEmail()), last, ms(m.upToWebhook()), m.promotions(), m.refused(),
                    m.lost(), m.duplicates()));
        }
        md.append("\nSummary, median / max over the ").append(n).append(" restarts of each case (ms):\n\n");
        md.append("| case | answering → drop | drop → email | drop → webhook | answering → published | answering → email "
                + "| answering → webhook | email within 1 s | webhook within 1 s |\n|---|---|---|---|---|---|---|---|---|\n");
        Map<String, List<Measured>> cases = new LinkedHashMap<>();
        rows.forEach(m -> cases.computeIfAbsent(m.restart().label(), k -> new ArrayList<>()).add(m));
        cases.forEach((label, ms) -> md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                label, summary(ms, Measured::upToDrop), summary(ms, Measured::dropToEmail), summary(ms, Measured::dropToWebhook),
                summary(ms, Measured::upToPublished), summary(ms, Measured::upToEmail), summary(ms, Measured::upToWebhook), within(ms, Measured::upToEmail),
                within(ms, Measured::upToWebhook))));
        md.append("\n(\"drops in outage\": answering → the last of the outage's promotions notified.)\n");
        String where = timeline.markdown(rows);
        if (!where.isEmpty()) {
            md.append('\n').append(where);
        }
        return md.toString();
    }

    private static String summary(List<Measured> ms, ToDoubleFunction<Measured> value) {
        double[] values = ms.stream().mapToDouble(value).filter(v -> !Double.isNaN(v)).toArray();
        if (values.length == 0) {
            return "–";
        }
        return ms(RestartBench.median(values)) + " / " + ms(RestartBench.max(values));
    }

    private static String within(List<Measured> ms, ToDoubleFunction<Measured> value) {
        long met = ms.stream().mapToDouble(value).filter(v -> v <= RestartBench.TARGET_MS).count();
        return met + " of " + ms.size();
    }

    static String ms(double ms) {
        return Double.isNaN(ms) ? "–" : String.format(Locale.ROOT, "%.0f", ms);
    }
}
