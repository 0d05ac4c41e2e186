package io.seatwatch.bench.restart;

import io.seatwatch.bench.e2e.Apps;
import io.seatwatch.bench.e2e.Sinks;
import io.seatwatch.bench.e2e.Workload;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * The first promotions after a real RabbitMQ restart, end to end: a private node (PrivateNode) is stopped and
 * started again while the three apps run against it, warm and idle, and the harness times how long after the
 * node answers again a promotion reaches the SMTP sink and the webhook receiver.
 *
 * <p>Cases, each repeated N times: a clean restart (stop_app, start_app) and a kill -9 of the node's VM followed by
 * a start, each with nothing happening during the outage and one drop sent the moment the node answers again; then
 * both with drops sent during the outage, which must all arrive once the node is back. Speed is reported, never
 * enforced: the exit status is 3 only when a promotion was lost or notified twice.
 *
 * <p>Arguments: apiDir emailDir webhookDir (image layouts prepared by restart.sh) rabbitBinDir workDir nodeName
 * outFile N outageSeconds dropsPerOutage
 */
public final class RestartBench {

    static final String PREFIX = "sw:v1:bench:restart:";
    static final int API_PORT = 18110, API_MANAGEMENT_PORT = 19110, EMAIL_PORT = 18111, WEBHOOK_PORT = 18112;
    /** What the notifiers are asked to meet: the first promotion within this long after the broker is back. */
    static final double TARGET_MS = 1000;
    /** Idle before each restart: the apps' connections sit unused, as on a quiet night. */
    static final Duration IDLE = Duration.ofSeconds(3);
    /** A promotion not notified this long after the broker answers again counts as lost. */
    private static final Duration LOST_AFTER = Duration.ofSeconds(60);

    enum Kind { CLEAN, KILL }

    /** One restart: when things happened (System.nanoTime), and the promotions it waited for. */
    record Restart(String label, Kind kind, boolean dropsDuringOutage, int index, long stoppedAt, long startedAt,
                   long upAt, Instant upWall, Instant stopWall, List<Workload.Seat> seats) {}

    public static void main(String[] args) throws Exception {
        Path apiDir = Path.of(args[0]), emailDir = Path.of(args[1]), webhookDir = Path.of(args[2]);
        Path rabbitBin = Path.of(args[3]);
        Path work = Path.of(args[4]).toAbsolutePath();
        String nodeName = args[5];
        Path out = Path.of(args[6]);
        int n = Integer.parseInt(args[7]);
        Duration outage = Duration.ofMillis(Math.round(Double.parseDouble(args[8]) * 1000));
        int dropsPerOutage = Integer.parseInt(args[9]);

        SecureRandom random = new SecureRandom();
        String jwtSecret = Base64.getEncoder().encodeToString(random.generateSeed(48));
        String webhookKey = Base64.getEncoder().encodeToString(random.generateSeed(32));
        int smtpPort = freePort(), webhookPort = freePort();
        Path logs = work.resolve("logs");
        Files.createDirectories(logs);
        List<Restart> restarts = new ArrayList<>();
        Report report;

        PrivateNode node = new PrivateNode(rabbitBin, work.resolve("node"), nodeName);
        Apps apps = new Apps();
        // A SIGTERM or Ctrl-C (restart.sh's trap) skips the try blocks' close: the apps and the node must not outlive us.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            apps.close();
            node.close();
        }));
        try (node) {
            long launched = System.nanoTime();
            node.start();
            node.awaitAnswering(Duration.ofSeconds(90));
            log("node %s answers on 127.0.0.1:%d after %.1f s", nodeName, node.amqpPort, (System.nanoTime() - launched) / 1e9);

            try (Sinks sinks = new Sinks(smtpPort, webhookPort); apps) {
                Map<String, String> env = new HashMap<>(Map.of("SEATWATCH_JWT_SECRET", jwtSecret,
                        "SEATWATCH_WEBHOOK_SECRET_KEY", webhookKey, "RABBITMQ_HOST", "127.0.0.1",
                        "RABBITMQ_PORT", Integer.toString(node.amqpPort), "RABBITMQ_VHOST", "/",
                        "SEATWATCH_WEBHOOKS_ALLOWHTTP", "true", "SEATWATCH_WEBHOOKS_ALLOWEDCIDRS", "127.0.0.1/32",
                        "SMTP_HOST", "127.0.0.1", "SMTP_PORT", Integer.toString(smtpPort)));
                String prefix = "--seatwatch.redis.key-prefix=" + PREFIX;
                apps.start("api", apiDir, 768, env, List.of("--server.port=" + API_PORT,
                        "--management.server.port=" + API_MANAGEMENT_PORT, prefix, "--seatwatch.rate-limit.enabled=false"),
                        "http://127.0.0.1:" + API_MANAGEMENT_PORT + "/actuator/health/readiness", logs.resolve("api.log"));
                apps.start("notifier-email", emailDir, 512, env, List.of("--server.port=" + EMAIL_PORT, prefix),
                        "http://127.0.0.1:" + EMAIL_PORT + "/actuator/health/readiness", logs.resolve("notifier-email.log"));
                apps.start("notifier-webhook", webhookDir, 512, env, List.of("--server.port=" + WEBHOOK_PORT, prefix),
                        "http://127.0.0.1:" + WEBHOOK_PORT + "/actuator/health/readiness", logs.resolve("notifier-webhook.log"));
                // restart.sh's trap stops these if this JVM is killed outright.
                Files.writeString(work.resolve("app-pids"), apps.apps.stream()
                        .map(app -> Long.toString(app.process().pid())).collect(Collectors.joining("\n", "", "\n")));
                apps.awaitReady(Duration.ofMinutes(4));
                log("the three apps are ready");

                Tap tap = new Tap(node.amqpPort);
                tap.connect();
                Workload workload = new Workload(URI.create("http://127.0.0.1:" + API_PORT), jwtSecret,
                        "http://127.0.0.1:" + webhookPort + "/hook");
                String session = Long.toString(System.currentTimeMillis(), 36);
                // The first promotions of a fresh JVM are slow (class loading, interpreter): not what a warm idle api
                // meets after a restart. They also prove the whole path works before anything is restarted.
                for (int round = 1; round <= 3; round++) {
                    List<Workload.Seat> warm = workload.prepare(session + "w" + round, 30, 16);
                    workload.drop(warm, 20);
                    awaitNotified(sinks, warm, System.nanoTime() + LOST_AFTER.toNanos());
                    log("warm-up %d: %d promotions notified; %s", round, warm.size(), baseline(sinks, workload, tap, warm));
                }

                List<Object[]> cases = List.of(new Object[] {"a clean, idle", Kind.CLEAN, false},
                        new Object[] {"b kill -9, idle", Kind.KILL, false},
                        new Object[] {"c clean, drops in outage", Kind.CLEAN, true},
                        new Object[] {"c kill -9, drops in outage", Kind.KILL, true});
                for (Object[] c : cases) {
                    boolean during = (Boolean) c[2];
                    for (int i = 1; i <= n; i++) {
                        String run = session + (restarts.size() + 1) + "r";
                        List<Workload.Seat> seats = workload.prepare(run, during ? dropsPerOutage : 1, 16);
                        Restart r = restart((String) c[0], (Kind) c[1], during, i, node, tap, workload, sinks, seats, outage);
                        restarts.add(r);
                        log("%s", Report.line(r, sinks, workload, tap));
                    }
                }
                // A second copy would come after the first: give late ones a moment before counting.
                TimeUnit.SECONDS.sleep(3);
                report = new Report(restarts, sinks, workload, tap, logs, n, outage, dropsPerOutage);
                tap.close();
            }
        }
        String md = report.markdown();
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md);
        System.out.println(md);
        // Only here, with the apps and the node stopped: exiting inside the try blocks would leave them running.
        if (report.wrong()) {
            System.err.println("restart: WRONG RESULT: a promotion was lost or notified more than once");
            System.exit(3);
        }
    }

    private static Restart restart(String label, Kind kind, boolean during, int index, PrivateNode node, Tap tap,
                                   Workload workload, Sinks sinks, List<Workload.Seat> seats, Duration outage) throws Exception {
        TimeUnit.MILLISECONDS.sleep(IDLE.toMillis());
        Instant stopWall = Instant.now();
        if (kind == Kind.CLEAN) {
            node.stopApp();
        } else {
            node.kill();
        }
        if (node.answers()) {
            throw new IllegalStateException(node.name + " still answers after " + kind);
        }
        long stoppedAt = System.nanoTime();
        if (during) {
            // Spread over the outage, each accepted by the api (the outbox is in Redis) while the broker is away.
            workload.drop(seats, seats.size() / (outage.toNanos() / 1e9));
        }
        long wait = stoppedAt + outage.toNanos() - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        long startedAt = System.nanoTime();
        Process startApp = null;
        if (kind == Kind.CLEAN) {
            startApp = node.startApp();
        } else {
            node.start();
        }
        long upAt = node.awaitAnswering(Duration.ofSeconds(90));
        Instant upWall = Instant.now();
        // Beside the drop, not before it: the drop is what is timed from the broker's return.
        Thread tapping = new Thread(() -> {
            try {
                tap.connect();
            } catch (Exception e) {
                log("the tap could not connect: %s", e);
            }
        }, "tap-connect");
        tapping.start();
        if (!during) {
            // The moment it answers: this promotion meets the apps' connections as the restart left them.
            workload.drop(seats, 1000);
        }
        awaitNotified(sinks, seats, upAt + LOST_AFTER.toNanos());
        tapping.join();
        if (startApp != null && (!startApp.waitFor(60, TimeUnit.SECONDS) || startApp.exitValue() != 0)) {
            throw new IllegalStateException("rabbitmqctl start_app failed");
        }
        return new Restart(label, kind, during, index, stoppedAt, startedAt, upAt, upWall, stopWall, seats);
    }

    /** Until every seat's promoted student has an email and a webhook, or the deadline. */
    private static void awaitNotified(Sinks sinks, List<Workload.Seat> seats, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            if (seats.stream().allMatch(s -> first(sinks.emails, s.promoted()) >= 0 && first(sinks.webhooks, s.promoted()) >= 0)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    /** When the first notification for a student arrived (System.nanoTime), or -1. */
    static long first(Iterable<Sinks.Arrival> arrivals, String student) {
        long first = -1;
        for (Sinks.Arrival a : arrivals) {
            if (a.student().equals(student) && (first < 0 || a.atNanos() < first)) {
                first = a.atNanos();
            }
        }
        return first;
    }

    static int count(Iterable<Sinks.Arrival> arrivals, String student) {
        int n = 0;
        for (Sinks.Arrival a : arrivals) {
            if (a.student().equals(student)) {
                n++;
            }
        }
        return n;
    }

    /** The same path with the broker up throughout: what a restart adds is the difference. */
    private static String baseline(Sinks sinks, Workload workload, Tap tap, List<Workload.Seat> seats) {
        return String.format(Locale.ROOT, "medians (broker up throughout): drop → published %.0f ms, → email %.0f ms, "
                        + "→ webhook %.0f ms", median(latencies(s -> tap.publishedAt.getOrDefault(s, -1L), workload, seats)),
                median(latencies(s -> first(sinks.emails, s), workload, seats)),
                median(latencies(s -> first(sinks.webhooks, s), workload, seats)));
    }

    private static double[] latencies(ToLongFunction<String> arrival, Workload workload, List<Workload.Seat> seats) {
        return seats.stream().mapToDouble(s -> {
            long at = arrival.applyAsLong(s.promoted());
            Long sent = workload.dropSentAt.get(s.promoted());
            return at < 0 || sent == null ? Double.NaN : (at - sent) / 1e6;
        }).filter(ms -> !Double.isNaN(ms)).toArray();
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    private static final long STARTED = System.nanoTime();

    static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "restart: %5.1f s: " + format + "%n",
                prepend((System.nanoTime() - STARTED) / 1e9, args));
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
