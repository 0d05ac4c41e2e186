package io.seatwatch.bench.e2e;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The three apps as separate JVMs, each run as its image runs it (e2e.sh prepares the image's /app for each, with its
 * class data sharing archive, and passes the ENTRYPOINT's arguments), on bench ports, a bench key prefix and vhost.
 */
public final class Apps implements AutoCloseable {

    /** One running app: its process and the URL of its readiness probe. */
    public record App(String name, Process process, String readiness) {}

    static final int API_PORT = 18093, API_MANAGEMENT_PORT = 19093, EMAIL_PORT = 18094, WEBHOOK_PORT = 18095;

    /** Flags an experiment adds (SEATWATCH_BENCH_EXTRA_JVM_FLAGS): on the command line, after everything else. */
    static final List<String> EXTRA_JVM_FLAGS = List.of(System.getenv().getOrDefault("SEATWATCH_BENCH_EXTRA_JVM_FLAGS", "")
            .trim().split("\\s+")).stream().filter(flag -> !flag.isEmpty()).toList();

    /** The image's ENTRYPOINT after "java", one argument per line: e2e.sh reads it from the Dockerfile. */
    static final List<String> ENTRYPOINT_ARGS = Objects.requireNonNull(System.getenv("SEATWATCH_BENCH_ENTRYPOINT_ARGS"),
                    "SEATWATCH_BENCH_ENTRYPOINT_ARGS (run this through bench/e2e.sh)")
            .lines().map(String::trim).filter(arg -> !arg.isEmpty()).toList();

    /** The class data sharing archive the ENTRYPOINT maps, which each app must then have mapped; empty for none. */
    static final String ARCHIVE = ENTRYPOINT_ARGS.stream().filter(arg -> arg.startsWith("-XX:SharedArchiveFile="))
            .map(arg -> arg.substring("-XX:SharedArchiveFile=".length())).findFirst().orElse("");

    public final List<App> apps = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    public void start(String name, Path directory, int memoryLimitMb, Map<String, String> env, List<String> args, String readiness,
               Path log) throws IOException {
        // -XX:MaxRAM stands in for the memory limit the JVM would read from its container's cgroup (k8s base: api
        // 768Mi, notifiers 512Mi).
        List<String> command = new ArrayList<>(List.of("java", "-XX:MaxRAM=" + memoryLimitMb + "m"));
        command.addAll(EXTRA_JVM_FLAGS);
        command.addAll(ENTRYPOINT_ARGS);
        command.addAll(args);
        // In the app's directory, as the image's WORKDIR: the ENTRYPOINT's paths are relative.
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toAbsolutePath().toFile());
        builder.environment().putAll(env);
        // As deployed (read by e2e.sh): the image's JAVA_TOOL_OPTIONS, then the app's own JDK_JAVA_OPTIONS from
        // k8s/base, which the java launcher applies after them.
        builder.environment().put("JAVA_TOOL_OPTIONS", System.getenv().getOrDefault("SEATWATCH_BENCH_JAVA_TOOL_OPTIONS", ""));
        String own = System.getenv("SEATWATCH_BENCH_JDK_JAVA_OPTIONS_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
        if (own != null && !own.isBlank()) {
            builder.environment().put("JDK_JAVA_OPTIONS", own);
        }
        apps.add(new App(name, builder.start(), readiness));
    }

    public void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (App app : apps) {
            while (!ready(app.readiness())) {
                if (!app.process().isAlive()) {
                    throw new IllegalStateException(app.name() + " exited while starting");
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(app.name() + " not ready after " + timeout);
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
        // A JVM that cannot use the archive starts without it and says nothing: that would measure another image.
        for (App app : apps) {
            if (!ARCHIVE.isEmpty() && Files.readAllLines(Path.of("/proc/" + app.process().pid() + "/maps")).stream()
                    .noneMatch(line -> line.endsWith("/" + ARCHIVE))) {
                throw new IllegalStateException(app.name() + " did not map its class data sharing archive " + ARCHIVE);
            }
        }
    }

    private boolean ready(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Peak resident set (VmHWM) per app, in MB. */
    Map<String, Long> peakRssMb() throws IOException {
        Map<String, Long> rss = new LinkedHashMap<>();
        for (App app : apps) {
            rss.put(app.name(), statusKb(app.process().pid(), "VmHWM") / 1024);
        }
        return rss;
    }

    static long statusKb(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return -1;
    }

    /** CPU time (user + system, clock ticks) used so far by a process; -1 when it is gone. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The pid of the first process whose command line contains {@code needle} (Redis, RabbitMQ), or -1. */
    static long pidOf(String needle) {
        File[] procs = new File("/proc").listFiles((dir, name) -> name.matches("\\d+"));
        if (procs == null) {
            return -1;
        }
        for (File p : procs) {
            try {
                String cmd = Files.readString(p.toPath().resolve("cmdline")).replace('\0', ' ');
                if (cmd.contains(needle)) {
                    return Long.parseLong(p.getName());
                }
            } catch (IOException | RuntimeException e) {
                // gone, or not readable
            }
        }
        return -1;
    }

    @Override
    public void close() {
        for (App app : apps) {
            app.process().destroy();
        }
        for (App app : apps) {
            try {
                if (!app.process().waitFor(40, TimeUnit.SECONDS)) {
                    app.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                app.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
