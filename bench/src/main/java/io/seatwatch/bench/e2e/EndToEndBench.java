package io.seatwatch.bench.e2e;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

/**
 * End to end, open loop: drops at fixed rates, each promoting a subscribed student; the time from sending the
 * drop to the email accepted by the SMTP server and to the webhook received, per rate; every notification
 * counted (missing, duplicates); then the highest rate that held (p99 ≤ 1 s for both, nothing lost or
 * duplicated, no backlog left) is held for the sustain period, with the CPU each process used and the apps'
 * peak RSS.
 *
 * <p>Arguments: apiDir emailDir webhookDir (each app's image layout, prepared by e2e.sh) vhost outFile rates(comma-separated) secondsPerRate sustainSeconds
 * [warmUp=RATE:DROPS:MAX_ROUNDS]
 */
public final class EndToEndBench {

    private static final String PREFIX = "sw:v1:bench:e2e:";
    private static final double P99_LIMIT_MS = 1000;

    /** One rate's outcome. */
    record Row(String phase, double rate, double achieved, int drops, int dropErrors, Stats email, Stats webhook,
               int emailMissing, int emailDuplicates, int webhookMissing, int webhookDuplicates, long maxBacklog,
               long endBacklog, Map<String, Double> cpuMsPerDrop) {

        double cpuMsTotal() {
            return cpuMsPerDrop.values().stream().filter(ms -> !ms.isNaN()).mapToDouble(Double::doubleValue).sum();
        }

        boolean held() {
            return dropErrors == 0 && emailMissing == 0 && webhookMissing == 0 && emailDuplicates == 0
                    && webhookDuplicates == 0 && email.p99() <= P99_LIMIT_MS && webhook.p99() <= P99_LIMIT_MS && endBacklog == 0;
        }
    }

    public static void main(String[] args) throws Exception {
        Path apiDir = Path.of(args[0]), emailDir = Path.of(args[1]), webhookDir = Path.of(args[2]);
        String vhost = args[3];
        Path out = Path.of(args[4]);
        List<Double> rates = new ArrayList<>();
        for (String r : args[5].split(",")) {
            rates.add(Double.parseDouble(r));
        }
        int secondsPerRate = Integer.parseInt(args[6]);
        int sustainSeconds = Integer.parseInt(args[7]);

        SecureRandom random = new SecureRandom();
        String jwtSecret = Base64.getEncoder().encodeToString(random.generateSeed(48));
        String webhookKey = Base64.getEncoder().encodeToString(random.generateSeed(32));
        int smtpPort = freePort(), webhookPort = freePort();
        Path logs = Path.of("target-e2e-logs");
        Files.createDirectories(logs);
        boolean wrong = false;

        try (Sinks sinks = new Sinks(smtpPort, webhookPort); Apps apps = new Apps();
             Backlog backlog = new Backlog(vhost)) {
            Map<String, String> env = new HashMap<>(Map.of("SEATWATCH_JWT_SECRET", jwtSecret, "SEATWATCH_WEBHOOK_SECRET_KEY", webhookKey,
                    "RABBITMQ_VHOST", vhost, "SEATWATCH_WEBHOOKS_ALLOWHTTP", "true", "SEATWATCH_WEBHOOKS_ALLOWEDCIDRS", "127.0.0.1/32",
                    "SMTP_HOST", "127.0.0.1", "SMTP_PORT", Integer.toString(smtpPort)));
            String prefix = "--seatwatch.redis.key-prefix=" + PREFIX;
            apps.start("api", apiDir, 768, env, List.of("--server.port=" + Apps.API_PORT,
                    "--management.server.port=" + Apps.API_MANAGEMENT_PORT, prefix, "--seatwatch.rate-limit.enabled=false"),
                    "http://127.0.0.1:" + Apps.API_MANAGEMENT_PORT + "/actuator/health/readiness", logs.resolve("api.log"));
            apps.start("notifier-email", emailDir, 512, env, List.of("--server.port=" + Apps.EMAIL_PORT, prefix),
                    "http://127.0.0.1:" + Apps.EMAIL_PORT + "/actuator/health/readiness", logs.resolve("notifier-email.log"));
            apps.start("notifier-webhook", webhookDir, 512, env, List.of("--server.port=" + Apps.WEBHOOK_PORT, prefix),
                    "http://127.0.0.1:" + Apps.WEBHOOK_PORT + "/actuator/health/readiness", logs.resolve("notifier-webhook.log"));
            apps.awaitReady(Duration.ofMinutes(4));
            backlog.connect();
            allPids = processes(apps);
            appPids = new LinkedHashMap<>(allPids);
            appPids.keySet().retainAll(apps.apps.stream().map(Apps.App::name).toList());
            System.err.println("e2e: the three apps are ready");

            Workload workload = new Workload(URI.create("http://127.0.0.1:" + Apps.API_PORT),
                    jwtSecret, "http://127.0.0.1:" + webhookPort + "/hook");
            String session = Long.toString(System.currentTimeMillis(), 36);
            // Warm-up, not reported: rounds of drops until a round costs (CPU per drop, all processes) within 10 % of
            // the one before, i.e. the JIT has compiled the hot paths; at most the given number of rounds.
            String[] warmUp = (args.length > 8 ? args[8] : "300:3000:8").split(":");
            double previous = Double.NaN;
            for (int round = 1; round <= Integer.parseInt(warmUp[2]); round++) {
                Row warm = run("warm-up " + round, workload, sinks, backlog, session + "w" + round,
                        Double.parseDouble(warmUp[0]), Integer.parseInt(warmUp[1]), Duration.ofSeconds(300));
                print(warm);
                double cost = warm.cpuMsTotal();
                if (Math.abs(cost - previous) <= 0.1 * previous) {
                    break;
                }
                previous = cost;
            }

            List<Row> rows = new ArrayList<>();
            double best = 0;
            for (double rate : rates) {
                int drops = (int) Math.round(rate * secondsPerRate);
                Row row = run("step", workload, sinks, backlog, session + "r" + (int) rate, rate, drops, Duration.ofSeconds(60));
                rows.add(row);
                print(row);
                if (row.held()) {
                    best = rate;
                }
            }
            Row sustained = null;
            Map<String, Double> cpu = Map.of();
            if (best > 0 && sustainSeconds > 0) {
                int drops = (int) Math.round(best * sustainSeconds);
                List<Workload.Seat> seats = prepareQuietly(workload, session + "s", drops);
                Map<String, Long> before = ticks(allPids);
                long start = System.nanoTime();
                sustained = measure("sustain", workload, sinks, backlog, seats, best, Duration.ofSeconds(120));
                cpu = cpuPercent(allPids, before, ticks(allPids), (System.nanoTime() - start) / 1e9);
                rows.add(sustained);
                print(sustained);
            }
            Map<String, Long> rss = apps.peakRssMb();
            String report = report(rows, best, sustainSeconds, sustained, cpu, rss, secondsPerRate);
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, report);
            System.out.println(report);
            // Speed is reported, never enforced; a wrong result is a duplicate, or a notification missing for an
            // accepted drop although nothing was left to process. Drops refused under overload (503) are reported.
            for (Row r : rows) {
                if (r.emailDuplicates() + r.webhookDuplicates() > 0
                        || (r.endBacklog() == 0 && r.emailMissing() + r.webhookMissing() > 0)) {
                    System.err.println("e2e: WRONG RESULT in phase " + r.phase() + " at " + r.rate() + "/s");
                    wrong = true;
                }
            }
        }
        // Only here, after the apps were stopped by the try's close: exiting inside it would leave them running.
        if (wrong) {
            System.exit(3);
        }
    }

    private static Row run(String phase, Workload workload, Sinks sinks, Backlog backlog, String run, double rate, int drops,
                           Duration settle) throws Exception {
        List<Workload.Seat> seats = prepareQuietly(workload, run, drops);
        return measure(phase, workload, sinks, backlog, seats, rate, settle);
    }

    private static List<Workload.Seat> prepareQuietly(Workload workload, String run, int drops) throws Exception {
        long start = System.nanoTime();
        List<Workload.Seat> seats = workload.prepare(run, drops, 64);
        System.err.printf(Locale.ROOT, "e2e: prepared %d classes in %.1f s%n", drops, (System.nanoTime() - start) / 1e9);
        quiesce();
        return seats;
    }

    /** The apps, once started: their CPU tells when the preparation's work (JIT compilation included) is over. */
    private static Map<String, Long> appPids = Map.of();

    /** The apps, Redis, RabbitMQ and this process: the CPU a drop costs, everything included. */
    private static Map<String, Long> allPids = Map.of();

    /**
     * Waits until the apps are nearly idle (under 10 % of one core together for a second; at most 90 s): the
     * preparation leaves garbage, Redis writes and, above all, a queue of JIT compilations that would otherwise
     * be measured as the next step's cost.
     */
    private static void quiesce() throws InterruptedException {
        long start = System.nanoTime();
        TimeUnit.SECONDS.sleep(2);
        int quiet = 0;
        double pct = Double.NaN;
        while (quiet < 2 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(90)) {
            Map<String, Long> before = ticks(appPids);
            TimeUnit.MILLISECONDS.sleep(500);
            pct = cpuPercent(appPids, before, ticks(appPids), 0.5).values().stream().mapToDouble(Double::doubleValue).sum();
            quiet = pct < 10 ? quiet + 1 : 0;
        }
        System.err.printf(Locale.ROOT, "e2e: apps quiet (%.0f %% of a core) after %.1f s%n", pct, (System.nanoTime() - start) / 1e9);
    }

    private static Row measure(String phase, Workload workload, Sinks sinks, Backlog backlog, List<Workload.Seat> seats,
                               double rate, Duration settle) throws Exception {
        sinks.clear();
        workload.dropSentAt.clear();
        workload.dropErrors.set(0);
        workload.dropped.clear();
        AtomicLong maxBacklog = new AtomicLong();
        Thread sampler = new Thread(() -> {
            int tick = 0;
            while (!Thread.currentThread().isInterrupted()) {
                long[] parts = backlog.parts();
                maxBacklog.accumulateAndGet(LongStream.of(parts).sum(), Math::max);
                if (tick++ % 4 == 0) {
                    System.err.printf("e2e: backlog outbox %d, email queue %d, webhook queue %d, webhook schedule %d%n",
                            parts[0], parts[1], parts[2], parts[3]);
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "backlog-sampler");
        sampler.setDaemon(true);
        sampler.start();
        Map<String, Long> ticksBefore = ticks(allPids);
        double achieved = workload.drop(seats, rate);
        long deadline = System.nanoTime() + settle.toNanos();
        // Only drops answered 204 promote someone: a refused one (503 under overload) is counted, not awaited.
        int n = workload.dropped.size();
        while ((sinks.emails.size() < n || sinks.webhooks.size() < n) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        // Duplicates would come later than the first copy: give them a moment to show.
        TimeUnit.MILLISECONDS.sleep(500);
        sampler.interrupt();
        long endBacklog = backlog.total();
        Map<String, Double> cpuMsPerDrop = new LinkedHashMap<>();
        Map<String, Long> ticksAfter = ticks(allPids);
        // From the first drop until the last notification (plus the half second above): 10 ms per Linux clock tick.
        allPids.keySet().forEach(name -> cpuMsPerDrop.put(name, ticksBefore.get(name) < 0 ? Double.NaN
                : (ticksAfter.get(name) - ticksBefore.get(name)) * 10.0 / Math.max(1, workload.dropped.size())));

        Map<String, Long> sent = workload.dropSentAt;
        Counted email = count(sinks.emails, sent);
        Counted webhook = count(sinks.webhooks, sent);
        // Missing: accepted drops without a notification. (A drop answered 503 may still have been applied by
        // Redis: its notification is not missing, and not counted here either.)
        return new Row(phase, rate, achieved, seats.size(), workload.dropErrors.get(), email.stats(), webhook.stats(),
                missing(workload.dropped, sinks.emails), email.total() - email.distinct(),
                missing(workload.dropped, sinks.webhooks), webhook.total() - webhook.distinct(), maxBacklog.get(), endBacklog,
                cpuMsPerDrop);
    }

    private static int missing(Set<String> dropped, Iterable<Sinks.Arrival> arrivals) {
        Set<String> arrived = new HashSet<>();
        arrivals.forEach(a -> arrived.add(a.student()));
        return (int) dropped.stream().filter(s -> !arrived.contains(s)).count();
    }

    private record Counted(Stats stats, int distinct, int total) {}

    private static Counted count(Iterable<Sinks.Arrival> arrivals, Map<String, Long> sent) {
        Map<String, Double> first = new LinkedHashMap<>();
        int total = 0;
        for (Sinks.Arrival a : arrivals) {
            Long at = sent.get(a.student());
            if (at == null) {
                continue; // a late notification of an earlier phase
            }
            total++;
            first.merge(a.student(), (a.atNanos() - at) / 1e6, Math::min);
        }
        return new Counted(Stats.of(first.values().stream().mapToDouble(Double::doubleValue).toArray()), first.size(), total);
    }

    private static void print(Row r) {
        System.err.printf(Locale.ROOT, "e2e: %s %.0f/s: email p50 %.0f p99 %.0f max %.0f ms (missing %d, dup %d); "
                        + "webhook p50 %.0f p99 %.0f max %.0f ms (missing %d, dup %d); backlog max %d end %d; %s%n",
                r.phase(), r.rate(), r.email().p50(), r.email().p99(), r.email().max(), r.emailMissing(), r.emailDuplicates(),
                r.webhook().p50(), r.webhook().p99(), r.webhook().max(), r.webhookMissing(), r.webhookDuplicates(),
                r.maxBacklog(), r.endBacklog(), r.held() ? "held" : "NOT held");
        StringBuilder cpu = new StringBuilder();
        r.cpuMsPerDrop().forEach((name, ms) -> cpu.append(String.format(Locale.ROOT, " %s %.1f;", name, ms)));
        System.err.printf(Locale.ROOT, "e2e:   CPU ms per drop: total %.1f;%s%n", r.cpuMsTotal(), cpu);
    }

    private static Map<String, Long> processes(Apps apps) {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (Apps.App app : apps.apps) {
            pids.put(app.name(), app.process().pid());
        }
        pids.put("redis-server", Apps.pidOf("redis-server"));
        pids.put("rabbitmq (beam)", Apps.pidOf("beam.smp"));
        pids.put("bench (load + sinks)", ProcessHandle.current().pid());
        return pids;
    }

    private static Map<String, Long> ticks(Map<String, Long> pids) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        pids.forEach((name, pid) -> ticks.put(name, pid < 0 ? -1 : Apps.cpuTicks(pid)));
        return ticks;
    }

    /** CPU used per process over the interval, in percent of one core (the machine has availableProcessors cores). */
    private static Map<String, Double> cpuPercent(Map<String, Long> pids, Map<String, Long> before, Map<String, Long> after,
                                                  double seconds) {
        Map<String, Double> cpu = new LinkedHashMap<>();
        for (String name : pids.keySet()) {
            long b = before.get(name), a = after.get(name);
            // Linux clock ticks are 100 per second (USER_HZ) on every mainstream kernel.
            cpu.put(name, b < 0 || a < 0 ? Double.NaN : (a - b) / 100.0 / seconds * 100);
        }
        return cpu;
    }

    private static String report(List<Row> rows, double best, int sustainSeconds, Row sustained, Map<String, Double> cpu,
                                 Map<String, Long> rss, int secondsPerRate) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Open loop, %d s per rate; latency = drop sent → email accepted by the SMTP server "
                + "/ webhook request received; backlog = outbox entries + messages ready in both notifier queues + webhook "
                + "deliveries scheduled (retries included). Each app runs as its image runs it: `java %s` in its image layout, "
                + "with the image's JAVA_TOOL_OPTIONS and its own JDK_JAVA_OPTIONS from k8s/base.%n%n", secondsPerRate,
                String.join(" ", Apps.ENTRYPOINT_ARGS)));
        md.append("| phase | drops/s (sent) | drops (refused) | email p50 / p99 / max ms | webhook p50 / p99 / max ms | email missing / dup | webhook missing / dup | backlog max / end | held |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f (%.0f) | %d (%d) | %.0f / %.0f / %.0f | %.0f / %.0f / %.0f | %d / %d | %d / %d | %d / %d | %s |%n",
                    r.phase(), r.rate(), r.achieved(), r.drops(), r.dropErrors(), r.email().p50(), r.email().p99(), r.email().max(),
                    r.webhook().p50(), r.webhook().p99(), r.webhook().max(), r.emailMissing(), r.emailDuplicates(),
                    r.webhookMissing(), r.webhookDuplicates(), r.maxBacklog(), r.endBacklog(), r.held() ? "yes" : "no"));
        }
        md.append('\n');
        md.append("CPU per promoted drop, ms, from the first drop to the last notification (idle work included, so low rates "
                + "read high); the bound is what the machine's ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores could process at that cost:\n\n| phase | drops/s |");
        rows.get(0).cpuMsPerDrop().keySet().forEach(name -> md.append(' ').append(name).append(" |"));
        md.append(" total | bound, drops/s |\n|---|---|");
        rows.get(0).cpuMsPerDrop().keySet().forEach(name -> md.append("---|"));
        md.append("---|---|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f |", r.phase(), r.rate()));
            r.cpuMsPerDrop().values().forEach(ms -> md.append(String.format(Locale.ROOT, " %.1f |", ms)));
            double total = r.cpuMsTotal();
            md.append(String.format(Locale.ROOT, " %.1f | %.0f |%n", total,
                    Runtime.getRuntime().availableProcessors() * 1000 / total));
        }
        md.append('\n');
        if (sustained != null) {
            md.append(String.format(Locale.ROOT, "Highest step rate that held: %.0f drops/s; held for %d s: %s.%n%n", best,
                    sustainSeconds, sustained.held() ? "yes" : "no"));
            md.append("CPU during the sustained run (percent of one core; the machine has ")
                    .append(Runtime.getRuntime().availableProcessors()).append(" cores):\n\n| process | CPU % |\n|---|---|\n");
            cpu.forEach((name, pct) -> md.append(String.format(Locale.ROOT, "| %s | %.0f |%n", name, pct)));
            md.append('\n');
        } else {
            md.append(best > 0 ? "No sustained run was asked for.\n\n"
                    : "No step rate held (p99 ≤ 1 s, nothing lost or duplicated, no backlog left): no sustained run.\n\n");
        }
        md.append("Peak RSS (VmHWM) after the run, MB: ");
        rss.forEach((name, mb) -> md.append(name).append(' ').append(mb).append("; "));
        md.append("\n");
        return md.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Work not yet delivered: unrelayed outbox entries plus ready messages in both notifier queues. */
    static final class Backlog implements AutoCloseable {

        private final String vhost;
        private RedisClient redisClient;
        private StatefulRedisConnection<String, String> redis;
        private Connection rabbit;

        Backlog(String vhost) {
            this.vhost = vhost;
        }

        void connect() throws Exception {
            redisClient = RedisClient.create("redis://127.0.0.1:6379");
            redis = redisClient.connect();
            ConnectionFactory factory = new ConnectionFactory();
            factory.setVirtualHost(vhost);
            rabbit = factory.newConnection("seatwatch-bench-backlog");
        }

        long total() {
            return LongStream.of(parts()).sum();
        }

        /** Unrelayed outbox entries, ready email messages, ready webhook messages, webhook deliveries scheduled. */
        long[] parts() {
            long[] parts = new long[4];
            parts[0] = redis.sync().xlen(PREFIX + "outbox");
            // Deliveries waiting for an attempt, retries included (a refused connection is retried after 5 s).
            parts[3] = redis.sync().zcard(PREFIX + "webhook:due");
            List<String> queues = List.of("seatwatch.events.email", "seatwatch.events.webhook");
            for (int i = 0; i < queues.size(); i++) {
                try (Channel channel = rabbit.createChannel()) {
                    parts[i + 1] = channel.queueDeclarePassive(queues.get(i)).getMessageCount();
                } catch (Exception e) {
                    // not declared yet
                }
            }
            return parts;
        }

        @Override
        public void close() throws Exception {
            if (rabbit != null) {
                rabbit.close();
            }
            if (redis != null) {
                redis.close();
                redisClient.shutdown();
            }
        }
    }
}
