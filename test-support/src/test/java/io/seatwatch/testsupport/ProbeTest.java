package io.seatwatch.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without a management API or rabbitmqctl, creating a vhost fails saying what a newcomer has to do. */
class ProbeTest {

    @Test
    void neitherWayWorksSaysWhatToDo() throws IOException {
        String url = "http://127.0.0.1:" + closedPort();
        VhostAdmin admin = RabbitVhost.probe(new ManagementApi(url, "guest", "guest"),
                new Rabbitmqctl("/nonexistent/rabbitmqctl"));

        assertThatIllegalStateException().isThrownBy(() -> RabbitVhost.create("seatwatch-test-probe", admin, 5672))
                .withMessageStartingWith("RabbitMQ tests cannot create their vhosts: the management API at " + url
                        + " did not answer (ConnectException")
                .withMessageContaining("/nonexistent/rabbitmqctl could not be run")
                .withMessageContaining("su - -c 'rabbitmq-plugins enable rabbitmq_management'")
                .withMessageContaining("so that " + url + " answers for the user guest")
                .withMessageEndingWith("run the tests as a user allowed to run rabbitmqctl (root or the rabbitmq user).")
                .withNoCause();
    }

    @Test
    void queueTypesAreReadFromTheApisJson() {
        Map<String, String> types = ManagementApi.parseQueueTypes("[{\"name\":\"a.b\",\"type\":\"quorum\"},"
                + "{\"name\":\"say \\\"hi\\\" \\u00e9\",\"type\":\"classic\"},{\"type\":null,\"name\":\"c\"}]");
        assertThat(types).containsExactly(entry("a.b", "quorum"), entry("say \"hi\" \u00e9", "classic"),
                entry("c", null));
        assertThat(ManagementApi.parseQueueTypes("[]")).isEmpty();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
