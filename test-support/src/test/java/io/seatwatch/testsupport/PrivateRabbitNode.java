package io.seatwatch.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A throw-away RabbitMQ node with the management plugin, on free loopback ports and a data directory of its own,
 * so the management API path can be tested without touching the machine's broker. Needs the broker's own start
 * script: Debian's /usr/sbin wrapper only lets root and the rabbitmq user run it.
 */
final class PrivateRabbitNode implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(30);

    final int amqpPort;
    final int managementPort;
    private final Path dir;
    private final Process process;
    private final Thread shutdownHook;

    private PrivateRabbitNode(Path dir, int amqpPort, int managementPort, Process process) {
        this.dir = dir;
        this.amqpPort = amqpPort;
        this.managementPort = managementPort;
        this.process = process;
        // A node must not outlive the test JVM.
        this.shutdownHook = new Thread(this::kill);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    /** The broker's start script, if this machine has one that any user may run. */
    static Optional<Path> serverScript() {
        Path debian = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");
        if (Files.isExecutable(debian)) {
            return Optional.of(debian);
        }
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(d -> Path.of(d, "rabbitmq-server")).filter(Files::isExecutable)
                .filter(p -> !realName(p).equals("rabbitmq-script-wrapper")).findFirst();
    }

    /** Starts a node, or returns null with the reason in {@code why} when it did not come up. */
    static PrivateRabbitNode start(Path script, StringBuilder why) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("seatwatch-rabbit-");
        int amqpPort = freePort();
        int managementPort = freePort();
        int distPort = freePort();
        Files.writeString(dir.resolve("enabled_plugins"), "[rabbitmq_management].\n");
        Files.writeString(dir.resolve("rabbitmq.conf"), "listeners.tcp.default = 127.0.0.1:" + amqpPort + "\n"
                + "management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = " + managementPort + "\n"
                + "loopback_users = none\n");
        Files.writeString(dir.resolve("rabbitmq-env.conf"), "");
        Files.createDirectories(dir.resolve("home"));

        ProcessBuilder builder = new ProcessBuilder(script.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("console.log").toFile()).redirectInput(new File("/dev/null"));
        Map<String, String> env = builder.environment();
        // Everything of the node's own, none of the machine broker's files (config, cookie, data).
        env.put("HOME", dir.resolve("home").toString());
        env.put("RABBITMQ_NODENAME", "seatwatch-test-" + ProcessHandle.current().pid() + "@localhost");
        env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_NODE_PORT", String.valueOf(amqpPort));
        env.put("RABBITMQ_DIST_PORT", String.valueOf(distPort));
        env.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString());
        env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
        env.put("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
        PrivateRabbitNode node = new PrivateRabbitNode(dir, amqpPort, managementPort, builder.start());

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest whoami = HttpRequest.newBuilder(URI.create(node.managementUrl() + "/api/whoami"))
                .timeout(Duration.ofSeconds(2)).header("Authorization", "Basic "
                        + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8))).build();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline && node.process.isAlive()) {
            try {
                if (http.send(whoami, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return node;
                }
            } catch (IOException notYet) {
                // still booting
            }
            Thread.sleep(250);
        }
        why.append(node.process.isAlive() ? "no answer on " + node.managementUrl() + " within " + STARTUP
                : script + " exited with " + node.process.exitValue()).append(": ").append(node.consoleTail());
        node.close();
        return null;
    }

    private String consoleTail() {
        try {
            String console = Files.readString(dir.resolve("console.log"));
            return console.length() > 2000 ? console.substring(console.length() - 2000) : console;
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        kill();
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
    }

    /** A hard stop: a graceful one takes seconds, and the node's data is thrown away anyway. */
    private void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String realName(Path path) {
        try {
            return path.toRealPath().getFileName().toString();
        } catch (IOException e) {
            return "";
        }
    }
}
