package io.seatwatch.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

/** The helper as the modules' tests use it: on the machine's broker, with whichever way the probe chose. */
class LocalBrokerTest {

    @Test
    void aVhostOfOnesOwnWithItsQueuesAndConnectionsClosedByTheBroker() {
        try (RabbitVhost vhost = RabbitVhost.create("seatwatch-test-support-local")) {
            RabbitAdmin admin = new RabbitAdmin(vhost.connectionFactory());
            admin.declareQueue(QueueBuilder.durable("q.quorum").quorum().build());
            admin.declareQueue(new Queue("q.classic", true, false, false));
            assertThat(vhost.queueTypes()).containsEntry("q.quorum", "quorum").containsEntry("q.classic", "classic");

            Connection connection = vhost.connectionFactory().createConnection();
            await().atMost(Duration.ofSeconds(30)).until(() -> vhost.closeConnections("test restart") >= 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> !connection.isOpen());
        }
    }
}
