package io.seatwatch.notifier.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

/**
 * Not part of the build: a measurement against an outside receiver, e.g. {@code src/test/python/keep_alive_receiver.py}
 * (README.md of this module, "False timeouts"). One promotion every {@code interval-ms}, with the production attempt
 * timeout, on the chosen transport; prints the attempts, "no response" attempts, deliveries sent more than once,
 * and the responses counted as answered after a timeout.
 *
 * <pre>
 * python3 notifier-webhook/src/test/python/keep_alive_receiver.py 18081 /tmp/receiver.log &amp;
 * ./mvnw -o -pl http-dates,test-support,webhook-support,notifier-webhook -am test-compile \
 *     surefire:test@default-test -Dtest=KeepAliveSoakTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dseatwatch.soak.url=http://127.0.0.1:18081/hook \
 *     -Dseatwatch.soak.transport=io_uring -Dseatwatch.soak.count=200 -Dseatwatch.soak.interval-ms=500 \
 *     -Dseatwatch.soak.receiver-log=/tmp/receiver.log
 * </pre>
 */
@EnabledIfSystemProperty(named = "seatwatch.soak.url", matches = ".+")
@TestPropertySource(properties = {
        "seatwatch.redis.key-prefix=sw:v1:test:webhook-soak-${seatwatch.soak.transport:epoll}:",
        "seatwatch.webhooks.transport=${seatwatch.soak.transport:epoll}",
        "seatwatch.webhooks.attempt-timeout=${seatwatch.soak.attempt-timeout:15s}",
        "seatwatch.webhooks.connect-timeout=5s",
        "seatwatch.webhooks.body-timeout=2s",
        "seatwatch.webhooks.lease-ttl=40s",
        "seatwatch.webhooks.retry-schedule=5s,5s"})
class KeepAliveSoakTest extends NotifierTestSupport {

    @Test
    void oneReceiverKeepingItsConnections(@Autowired MeterRegistry meters) throws IOException {
        String url = System.getProperty("seatwatch.soak.url");
        int n = Integer.getInteger("seatwatch.soak.count", 200);
        long interval = Long.getLong("seatwatch.soak.interval-ms", 500);
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String studentId = newId("s");
            String classId = newId("c");
            subscribe(studentId, classId, url);
            events.add(event(studentId, classId, url));
        }
        Flux.interval(Duration.ofMillis(interval)).take(n).doOnNext(i -> publish(events.get(i.intValue()))).blockLast();
        List<String> ids = events.stream().map(e -> (String) e.get("eventId")).toList();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> ids.stream().allMatch(id -> "DELIVERED".equals(status(id)) || "FAILED".equals(status(id))));

        Map<String, List<JsonNode>> log = ids.stream().collect(Collectors.toMap(Function.identity(), this::attempts));
        long attempts = log.values().stream().mapToLong(List::size).sum();
        long noResponse = log.values().stream().flatMap(List::stream)
                .filter(a -> a.path("error").asString("").startsWith("no response")).count();
        long sentAgain = log.values().stream().filter(a -> a.size() > 1).count();
        double answeredLate = meters.find("seatwatch.webhooks.answered-after-timeout").counters().stream()
                .mapToDouble(Counter::count).sum();
        String receiverSide = "";
        String receiverLog = System.getProperty("seatwatch.soak.receiver-log");
        if (receiverLog != null) {
            Set<String> ours = Set.copyOf(ids);
            Map<String, Long> perId = Files.readAllLines(Path.of(receiverLog)).stream().filter(l -> !l.startsWith("#"))
                    .map(l -> l.split(" ")).filter(f -> f.length > 2 && ours.contains(f[2]))
                    .collect(Collectors.groupingBy(f -> f[2], Collectors.counting()));
            receiverSide = String.format(" receivedTwiceOrMore=%d received=%d", perId.values().stream().filter(c -> c > 1).count(),
                    perId.values().stream().mapToLong(Long::longValue).sum());
        }
        System.out.printf("SOAK transport=%s events=%d intervalMs=%d attempts=%d noResponse=%d deliveriesSentTwiceOrMore=%d "
                        + "answeredAfterTimeout=%.0f%s%n", System.getProperty("seatwatch.soak.transport", "epoll"), n, interval,
                attempts, noResponse, sentAgain, answeredLate, receiverSide);
        assertThat(noResponse).isZero();
    }
}
