package io.seatwatch.bench.restart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where a restart's time went, read from the apps' logs: when each app connected to the broker again, and, for the
 * notifiers, when their consumer had last tried before (the gap is their recovery interval, which a promotion waits
 * out when the broker returns in the middle of it); the relay's own outage lines.
 */
final class Timeline {

    private record Line(Instant at, String text) {}

    private static final String CONNECTED = "Created new connection";
    private static final String ATTEMPT = "Attempting to connect";

    private final Map<String, List<Line>> logs;

    Timeline(Path dir) {
        logs = Map.of("api", read(dir.resolve("api.log")), "notifier-email", read(dir.resolve("notifier-email.log")),
                "notifier-webhook", read(dir.resolve("notifier-webhook.log")));
    }

    private static List<Line> read(Path log) {
        List<Line> lines = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(log)) {
                int space = line.indexOf(' ');
                if (space > 0 && Character.isDigit(line.charAt(0))) {
                    try {
                        lines.add(new Line(Instant.parse(line.substring(0, space)), line));
                    } catch (DateTimeParseException notALogLine) {
                        // a stack trace's or a banner's line
                    }
                }
            }
        } catch (IOException e) {
            // no log, no timeline
        }
        return lines;
    }

    String markdown(List<Report.Measured> rows) {
        if (logs.values().stream().allMatch(List::isEmpty)) {
            return "";
        }
        StringBuilder md = new StringBuilder("Where the time went, from the apps' logs (ms after the broker answered again; "
                + "log timestamps have a 1 ms resolution): the relay's outage lines, and when each app's next connection "
                + "was created; for the notifiers, in brackets, the connection attempt logged before it (refused): the gap "
                + "between the two is a consumer's recovery interval, which the broker's return fell into:\n\n");
        md.append("| case | # | relay \"broker unavailable\" / \"available again\" | api connected | notifier-email connected "
                + "(attempt before) | notifier-webhook connected (attempt before) |\n|---|---|---|---|---|---|\n");
        for (int i = 0; i < rows.size(); i++) {
            RestartBench.Restart r = rows.get(i).restart();
            // This restart's lines only: from its stop to the next one's.
            Instant stop = r.stopWall(), end = i + 1 < rows.size() ? rows.get(i + 1).restart().stopWall() : Instant.MAX;
            Instant up = r.upWall();
            Optional<Line> unavailable = first("api", stop, end, l -> l.text().contains("Outbox relay: broker unavailable"));
            Optional<Line> again = first("api", stop, end, l -> l.text().contains("Outbox relay: broker available again"));
            md.append(String.format(Locale.ROOT, "| %s | %d | %s / %s | %s | %s | %s |%n", r.label(), r.index(),
                    offset(unavailable, up), offset(again, up),
                    offset(first("api", stop, end, l -> l.text().contains(CONNECTED)), up),
                    reconnect("notifier-email", stop, end, up), reconnect("notifier-webhook", stop, end, up)));
        }
        return md.toString();
    }

    private String reconnect(String app, Instant stop, Instant end, Instant up) {
        Optional<Line> connected = first(app, stop, end, l -> l.text().contains(CONNECTED));
        if (connected.isEmpty()) {
            return "–";
        }
        // The attempt that made this connection is the last one before it; the one before that was refused.
        List<Line> attempts = logs.get(app).stream().filter(l -> !l.at().isBefore(stop) && !l.at().isAfter(connected.get().at())
                && l.text().contains(ATTEMPT)).toList();
        Optional<Line> before = attempts.size() < 2 ? Optional.empty() : Optional.of(attempts.get(attempts.size() - 2));
        return offset(connected, up) + " (" + offset(before, up) + ")";
    }

    private Optional<Line> first(String app, Instant from, Instant to, Predicate<Line> matches) {
        return logs.get(app).stream().filter(l -> !l.at().isBefore(from) && l.at().isBefore(to)).filter(matches).findFirst();
    }

    private static String offset(Optional<Line> line, Instant up) {
        return line.map(l -> String.format(Locale.ROOT, "%+d", l.at().toEpochMilli() - up.toEpochMilli())).orElse("–");
    }
}
