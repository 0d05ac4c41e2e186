package io.seatwatch.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Vhosts through {@code rabbitmqctl}: on Debian only root and the rabbitmq user may run it. */
final class Rabbitmqctl implements VhostAdmin {

    private final String executable;

    Rabbitmqctl(String executable) {
        this.executable = executable;
    }

    /** Null when this user may run rabbitmqctl against the local node, else why not. */
    String problem() {
        try {
            Result result = run("list_vhosts");
            if (result.exitCode == 0) {
                return null;
            }
            return executable + " failed for user " + System.getProperty("user.name") + " (" + lastLine(result.output)
                    + ")";
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    @Override
    public void recreate(String vhost) {
        delete(vhost);
        check(run("add_vhost", vhost), "add_vhost");
        check(run("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"), "set_permissions");
    }

    @Override
    public void delete(String vhost) {
        // Fails when the vhost does not exist, which is fine.
        run("delete_vhost", vhost);
    }

    @Override
    public Map<String, String> queueTypes(String vhost) {
        Result result = check(run("list_queues", "-p", vhost, "--no-table-headers", "name", "type"), "list_queues");
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : result.output.lines().toList()) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length == 2) {
                types.put(cols[0], cols[1]);
            }
        }
        return types;
    }

    @Override
    public int closeConnections(String vhost, String reason) {
        Result listed = check(run("list_connections", "--no-table-headers", "vhost"), "list_connections");
        int open = (int) listed.output.lines().map(String::strip).filter(vhost::equals).count();
        check(run("close_all_connections", "-p", vhost, reason), "close_all_connections");
        return open;
    }

    private Result check(Result result, String command) {
        if (result.exitCode != 0) {
            throw new IllegalStateException(executable + " " + command + " failed: " + result.output.strip());
        }
        return result;
    }

    private Result run(String... args) {
        List<String> command = new ArrayList<>(List.of(executable, "-q"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(executable + " timed out: " + String.join(" ", command));
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new IllegalStateException(executable + " could not be run (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String lastLine(String output) {
        List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        String last = lines.isEmpty() ? "no output" : lines.get(lines.size() - 1);
        return last.length() > 200 ? last.substring(0, 200) + "..." : last;
    }

    private record Result(int exitCode, String output) {
    }
}
