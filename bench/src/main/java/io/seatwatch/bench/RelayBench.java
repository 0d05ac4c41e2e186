package io.seatwatch.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relay alone against RabbitMQ PerfTest on the same broker and topology: N outbox entries are
 * written while the api is stopped; the api starts, takes the relay lease, and the clock runs until the
 * outbox is empty (every entry confirmed, acked and deleted). PerfTest then publishes N persistent
 * messages of the same size with a confirm window to the same exchange, both quorum queues bound, no
 * consumers. Prints both rates and their ratio.
 *
 * <p>Arguments: apiJar entries classes runs
 */
public final class RelayBench {

    private static final String VHOST = "seatwatch-bench-relay";
    private static final String PREFIX = "sw:v1:bench:relay:";
    private static final String EXCHANGE = "seatwatch.events";
    private static final int WARM_UP_ROUNDS = 3;

    public static void main(String[] args) throws Exception {
        String apiJar = args[0];
        int entries = Integer.parseInt(args[1]);
        int classes = Integer.parseInt(args[2]);
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        String secret = "bench-secret-0123456789-0123456789-0123456789";

        sh("rabbitmqctl", "-q", "delete_vhost", VHOST);
        sh("rabbitmqctl", "-q", "add_vhost", VHOST);
        sh("rabbitmqctl", "-q", "set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*");
        declareTopology();

        RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
        List<Double> relayRates = new ArrayList<>();
        List<Double> perfRates = new ArrayList<>();
        int bytes = 0;
        String lease = PREFIX + "outbox:relay-lease";
        try (StatefulRedisConnection<String, String> redis = client.connect()) {
            RedisCommands<String, String> sync = redis.sync();
            wipe(sync);
            Process api = startApi(apiJar, secret);
            try {
                waitReady();
                // The first rounds warm the JIT up (a relay runs for days) and are not reported.
                for (int run = 1 - WARM_UP_ROUNDS; run <= runs; run++) {
                    // Hold the lease while the outbox fills, so the clock starts with a full outbox.
                    sync.set(lease, "bench-hold");
                    bytes = fill(redis.async(), entries, classes);
                    purge();
                    sync.del(lease);
                    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                    long t0 = 0;
                    while (t0 == 0 && System.nanoTime() < deadline) {
                        String holder = sync.get(lease);
                        if (holder != null && !holder.equals("bench-hold")) {
                            t0 = System.nanoTime();
                        }
                    }
                    while (sync.xlen(PREFIX + "outbox") > 0 && System.nanoTime() < deadline) {
                        Thread.sleep(1);
                    }
                    long t1 = System.nanoTime();
                    long left = sync.xlen(PREFIX + "outbox");
                    if (left > 0) {
                        throw new IllegalStateException(left + " entries left after 5 minutes");
                    }
                    long queued = queueDepth("bench.email");
                    if (queued != entries) {
                        throw new IllegalStateException("expected " + entries + " messages in bench.email, found " + queued);
                    }
                    double seconds = (t1 - t0) / 1e9;
                    if (run > 0) {
                        relayRates.add(entries / seconds);
                    }
                    System.out.printf(Locale.ROOT, "%s relay:    %,d entries (%d classes, %d-byte events) in %.2f s = %,.0f events/s%n",
                            run <= 0 ? "warm-up" : "run " + run, entries, classes, bytes, seconds, entries / seconds);
                }
            } finally {
                api.destroy();
                api.waitFor(30, TimeUnit.SECONDS);
            }
            for (int run = 0; run <= runs; run++) {
                purge();
                double perf = perfTest(entries, bytes);
                if (run > 0) {
                    perfRates.add(perf);
                }
                System.out.printf(Locale.ROOT, "%s perftest: %,d messages in confirm window 200 = %,.0f msg/s%n",
                        run == 0 ? "warm-up" : "run " + run, entries, perf);
            }
            wipe(sync);
        } finally {
            client.shutdown();
            sh("rabbitmqctl", "-q", "delete_vhost", VHOST);
        }
        double relay = median(relayRates);
        double perf = median(perfRates);
        System.out.println();
        System.out.println("| measure (median of " + runs + ") | events/s |");
        System.out.println("|---|---|");
        System.out.printf(Locale.ROOT, "| relay, %,d outbox entries over %d classes | %,.0f |%n", entries, classes, relay);
        System.out.printf(Locale.ROOT, "| RabbitMQ PerfTest 2.22.1, same exchange, 2 quorum queues, %d-byte persistent messages, confirm window 200 | %,.0f |%n", bytes, perf);
        System.out.printf(Locale.ROOT, "| ratio relay / PerfTest (target >= 0.8) | %.2f |%n", relay / perf);
    }

    private static void waitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            try {
                java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI
                        .create("http://127.0.0.1:19080/actuator/health/readiness").toURL().openConnection();
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the api did not become ready; see bench/target/relay-bench-api.log");
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }

    private static ConnectionFactory rabbit() {
        ConnectionFactory cf = new ConnectionFactory();
        cf.setHost("127.0.0.1");
        cf.setVirtualHost(VHOST);
        return cf;
    }

    private static void declareTopology() throws Exception {
        try (Connection c = rabbit().newConnection(); Channel ch = c.createChannel()) {
            ch.exchangeDeclare(EXCHANGE, "topic", true);
            for (String q : List.of("bench.email", "bench.webhook")) {
                ch.queueDeclare(q, true, false, false, Map.of("x-queue-type", "quorum"));
                ch.queueBind(q, EXCHANGE, "#");
            }
        }
    }

    private static void purge() throws Exception {
        try (Connection c = rabbit().newConnection(); Channel ch = c.createChannel()) {
            ch.queuePurge("bench.email");
            ch.queuePurge("bench.webhook");
        }
    }

    private static long queueDepth(String queue) throws Exception {
        try (Connection c = rabbit().newConnection(); Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    private static void wipe(RedisCommands<String, String> redis) {
        List<String> keys = redis.keys(PREFIX + "*");
        if (!keys.isEmpty()) {
            redis.unlink(keys.toArray(String[]::new));
        }
    }

    /** Outbox entries as the promote() script writes them; returns the size of one published event. */
    private static int fill(RedisAsyncCommands<String, String> redis, int entries, int classes) throws Exception {
        List<RedisFuture<String>> pending = new ArrayList<>();
        long micros = System.currentTimeMillis() * 1000;
        Map<String, String> sample = null;
        for (int i = 0; i < entries; i++) {
            Map<String, String> e = new LinkedHashMap<>();
            e.put("type", "EnrollmentPromoted");
            e.put("eventId", UUID.randomUUID().toString());
            e.put("sequence", Integer.toString(i + 2));
            e.put("occurredAt", Long.toString(micros + i));
            e.put("classId", "bench-class-" + (i % classes));
            e.put("department", "CPSC");
            e.put("courseCode", "449");
            e.put("section", "01");
            e.put("title", "Web Back-End Engineering");
            e.put("studentId", "student-" + i);
            e.put("cause", "STUDENT_DROP");
            e.put("email", "student-" + i + "@example.edu");
            e.put("webhookUrl", "https://hooks.example.edu/seatwatch/student-" + i);
            e.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            pending.add(redis.xadd(PREFIX + "outbox", e));
            if (sample == null) {
                sample = e;
            }
        }
        for (RedisFuture<String> f : pending) {
            f.get(30, TimeUnit.SECONDS);
        }
        // The published JSON is about the fields' lengths plus quotes, colons and commas.
        int size = 2;
        for (Map.Entry<String, String> f : sample.entrySet()) {
            size += f.getKey().length() + f.getValue().length() + 6;
        }
        return size;
    }

    private static Process startApi(String jar, String secret) throws Exception {
        List<String> command = new ArrayList<>(List.of("java", "-jar", jar,
                "--server.port=18080", "--management.server.port=19080",
                "--seatwatch.redis.key-prefix=" + PREFIX,
                "--spring.rabbitmq.virtual-host=" + VHOST,
                "--seatwatch.relay.lease-ttl=600ms",
                "--spring.main.banner-mode=off", "--logging.level.root=WARN"));
        // Extra api arguments for experiments, e.g. API_ARGS="--seatwatch.relay.max-in-flight=1000".
        String extra = System.getenv("API_ARGS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("SEATWATCH_JWT_SECRET", secret);
        pb.environment().put("SEATWATCH_WEBHOOK_SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
        pb.redirectErrorStream(true).redirectOutput(new File("target/relay-bench-api.log"));
        return pb.start();
    }

    private static double perfTest(int messages, int size) throws Exception {
        String classpath = System.getProperty("java.class.path");
        Process p = new ProcessBuilder(List.of("java", "-cp", classpath, "com.rabbitmq.perf.PerfTest",
                "--uri", "amqp://guest:guest@127.0.0.1:5672/" + VHOST,
                "--exchange", EXCHANGE, "--type", "topic", "--routing-key", "EnrollmentPromoted", "--predeclared",
                "--producers", "1", "--consumers", "0", "--size", Integer.toString(size),
                "--flag", "persistent", "--confirm", "200", "--pmessages", Integer.toString(messages)))
                .redirectErrorStream(true).start();
        Pattern rate = Pattern.compile("sending rate avg: ([0-9]+) msg/s");
        double result = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                Matcher m = rate.matcher(line);
                if (m.find()) {
                    result = Double.parseDouble(m.group(1));
                }
            }
        }
        p.waitFor(5, TimeUnit.MINUTES);
        if (result < 0) {
            throw new IllegalStateException("PerfTest printed no sending rate");
        }
        return result;
    }

    static void sh(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
    }

}
