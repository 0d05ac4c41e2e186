package io.seatwatch.bench.restart;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A RabbitMQ node of the bench's own, on free loopback ports with its own data directory, config and cookie, so
 * that it can be stopped and killed without touching the machine's broker (the same approach as test-support's
 * PrivateRabbitNode). It runs in the foreground of the broker's own start script: Debian's /usr/sbin wrapper
 * would switch to the rabbitmq user, which cannot write the bench's directory.
 */
final class PrivateNode implements AutoCloseable {

    final String name;
    final int amqpPort;
    private final Path dir;
    private final Path bin;
    private final Map<String, String> env;
    private Process server;
    private boolean closed;

    PrivateNode(Path bin, Path dir, String name) throws IOException {
        this.bin = bin;
        this.dir = dir;
        this.name = name;
        this.amqpPort = freePort();
        int distPort = freePort();
        Files.createDirectories(dir.resolve("home"));
        Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
        // Without a config of its own the node would read /etc/rabbitmq and listen on the machine broker's port.
        Files.writeString(dir.resolve("rabbitmq.conf"), "listeners.tcp.default = 127.0.0.1:" + amqpPort + "\n");
        Files.writeString(dir.resolve("rabbitmq-env.conf"), "");
        env = Map.ofEntries(
                Map.entry("HOME", dir.resolve("home").toString()),   // where the node and rabbitmqctl find the cookie
                Map.entry("RABBITMQ_NODENAME", name),
                Map.entry("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"),
                Map.entry("RABBITMQ_NODE_PORT", String.valueOf(amqpPort)),
                Map.entry("RABBITMQ_DIST_PORT", String.valueOf(distPort)),
                Map.entry("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString()),
                Map.entry("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString()),
                Map.entry("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString()),
                Map.entry("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString()),
                Map.entry("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString()),
                Map.entry("RABBITMQ_LOG_BASE", dir.resolve("log").toString()),
                // restart.sh's trap reads it when this JVM could not stop the node itself.
                Map.entry("RABBITMQ_PID_FILE", dir.resolve("pid").toString()),
                Map.entry("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}"),
                Map.entry("ERL_EPMD_ADDRESS", "127.0.0.1"));
    }

    /** Launches the node; it answers some seconds later (see {@link #awaitAnswering}). */
    synchronized void start() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(bin.resolve("rabbitmq-server").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("console.log").toFile()))
                .redirectInput(new File("/dev/null"));
        builder.environment().putAll(env);
        server = builder.start();
    }

    /**
     * Polls with real AMQP connections until one is accepted; returns System.nanoTime() of that moment. A refused
     * connect costs well under a millisecond, so the poll's resolution is its 10 ms sleep.
     */
    long awaitAnswering(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ConnectionFactory factory = connectionFactory();
        while (System.nanoTime() < deadline) {
            try (Connection ignored = factory.newConnection("seatwatch-bench-restart-probe")) {
                return System.nanoTime();
            } catch (Exception notYet) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }
        throw new IllegalStateException(name + " did not answer within " + timeout + "; see " + dir.resolve("console.log"));
    }

    boolean answers() {
        try (Connection ignored = connectionFactory().newConnection("seatwatch-bench-restart-probe")) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private ConnectionFactory connectionFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(amqpPort);
        factory.setConnectionTimeout(1000);
        factory.setHandshakeTimeout(2000);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    /** rabbitmqctl stop_app: the node closes every connection and its listener, its VM stays up. */
    void stopApp() throws IOException, InterruptedException {
        Process ctl = ctl("stop_app");
        if (!ctl.waitFor(60, TimeUnit.SECONDS) || ctl.exitValue() != 0) {
            throw new IllegalStateException("rabbitmqctl stop_app failed; see " + dir.resolve("rabbitmqctl.log"));
        }
    }

    /** rabbitmqctl start_app, not awaited: the caller polls for the first accepted connection meanwhile. */
    Process startApp() throws IOException {
        return ctl("start_app");
    }

    private Process ctl(String command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(bin.resolve("rabbitmqctl").toString(), "-n", name, command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("rabbitmqctl.log").toFile()))
                .redirectInput(new File("/dev/null"));
        builder.environment().putAll(env);
        return builder.start();
    }

    /** SIGKILL to the node's VM, as a crash or an OOM kill would end it; returns once the start script is gone. */
    synchronized void kill() throws InterruptedException {
        // Listed first: once the VM is gone its helpers (erl_child_setup, inet_gethost) are no longer its descendants.
        List<ProcessHandle> all = server.descendants().toList();
        all.stream().filter(p -> p.info().command().orElse("").endsWith("beam.smp")).findFirst()
                .orElseThrow(() -> new IllegalStateException(name + ": no beam.smp process to kill")).destroyForcibly();
        if (!server.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + ": the start script outlived its VM");
        }
        all.stream().filter(PrivateNode::ours).forEach(ProcessHandle::destroyForcibly);
    }

    /** Not epmd: one epmd serves every node on the machine, the shared broker's included. */
    private static boolean ours(ProcessHandle p) {
        return !p.info().command().orElse("").endsWith("epmd");
    }

    /** A hard stop: a graceful one takes seconds, and the node's data is thrown away anyway (restart.sh deletes it). */
    @Override
    public synchronized void close() {
        if (closed || server == null) {
            return;
        }
        closed = true;
        server.descendants().filter(PrivateNode::ours).forEach(ProcessHandle::destroyForcibly);
        server.destroyForcibly();
        try {
            server.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
