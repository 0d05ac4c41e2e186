package io.seatwatch.notifier.webhook.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.epoll.Epoll;
import io.netty.resolver.HostsFileEntriesResolver;
import io.seatwatch.notifier.webhook.KeepAliveReceiver;
import io.seatwatch.notifier.webhook.KeepAliveReceiver.Answer;
import io.seatwatch.notifier.webhook.WebhookNotifierProperties;
import io.seatwatch.webhooks.WebhookAddressPolicy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.scheduler.NonBlocking;

/**
 * The sender against a real keep-alive receiver on 127.0.0.1: which transport carries the webhooks, what counts as
 * an answer when the body is slow or large, which connections go back to the pool, and responses after a timeout.
 */
class WebhookSenderTest {

    private static final byte[] BODY = "{\"type\":\"enrollment.promoted\"}".getBytes(StandardCharsets.UTF_8);

    private final KeepAliveReceiver receiver = new KeepAliveReceiver();
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private WebhookSender sender;

    @AfterEach
    void stop() {
        if (sender != null) {
            sender.destroy();
        }
        receiver.close();
    }

    /** The module's settings with these replaced, bound as the app binds them (defaults included). */
    static WebhookNotifierProperties settings(String... overrides) {
        Map<String, String> values = new LinkedHashMap<>(Map.of(
                "seatwatch.webhooks.attempt-timeout", "1s",
                "seatwatch.webhooks.body-timeout", "500ms",
                "seatwatch.webhooks.connect-timeout", "500ms",
                "seatwatch.webhooks.late-response-window", "2s"));
        for (String o : overrides) {
            values.put("seatwatch.webhooks." + o.substring(0, o.indexOf('=')), o.substring(o.indexOf('=') + 1));
        }
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("seatwatch.webhooks", Bindable.of(WebhookNotifierProperties.class));
    }

    private WebhookSender sender(String... overrides) {
        sender = new WebhookSender(WebClient.builder(), settings(overrides), WebhookAddressPolicy.fromSetting("127.0.0.1/32"),
                new DefaultListableBeanFactory().getBeanProvider(HostsFileEntriesResolver.class), meters);
        return sender;
    }

    private WebhookSender.Response post() {
        return sender.post(URI.create(receiver.url()), Map.of("webhook-id", "evt-1"), BODY).block(Duration.ofSeconds(10));
    }

    private double answeredAfterTimeout(String... tags) {
        var counter = meters.find("seatwatch.webhooks.answered-after-timeout").tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    // ---- the transport ----

    @Test
    void theDefaultTransportIsEpoll() {
        assertThat(settings().transport()).isEqualTo(WebhookTransport.EPOLL);
        assertThat(settings("transport=io_uring").transport()).isEqualTo(WebhookTransport.IO_URING);
        assertThat(settings("transport=NIO").transport()).isEqualTo(WebhookTransport.NIO);
    }

    @Test
    void theLabelsDoNotFollowTheDefaultLocale() {
        // Thread names and metric tags: "IO_URING".toLowerCase() is "ıo_urıng" under a Turkish default locale.
        assertThat(WebhookTransport.values()).extracting(WebhookTransport::label).containsExactly("epoll", "nio", "io_uring");
    }

    @Test
    void webhooksGoOutOnTheSendersOwnEpollEventLoops() {
        assumeThat(Epoll.isAvailable()).as("epoll (Linux)").isTrue();
        sender();
        assertThat(sender.transport()).isEqualTo(WebhookTransport.EPOLL);
        // The response completes on the event loop that read it: Reactor Netty's default loops would be
        // reactor-http-io_uring-N (or -epoll-N), shared with everything else, on a transport nobody chose.
        Thread loop = sender.post(URI.create(receiver.url()), Map.of(), BODY).map(r -> Thread.currentThread())
                .block(Duration.ofSeconds(10));
        assertThat(loop.getName()).matches("webhook-epoll-\\d+");
        assertThat(loop).isInstanceOf(NonBlocking.class);
    }

    @Test
    void nioCanBeChosen() {
        sender("transport=nio");
        Thread loop = sender.post(URI.create(receiver.url()), Map.of(), BODY).map(r -> Thread.currentThread())
                .block(Duration.ofSeconds(10));
        assertThat(loop.getName()).matches("webhook-nio-\\d+");
        assertThat(sender.post(URI.create(receiver.url()), Map.of(), BODY).block(Duration.ofSeconds(10)).status()).isEqualTo(200);
    }

    // ---- connections ----

    @Test
    void aConnectionWhoseResponseWasReadInFullIsReused() {
        sender();
        for (int i = 0; i < 20; i++) {
            assertThat(post().status()).isEqualTo(200);
        }
        // One after another, yet a request may be sent just before the previous one's connection is back in the
        // pool: a second connection now and then, never one per request, none closed.
        assertThat(receiver.connections()).isLessThanOrEqualTo(3);
        assertThat(receiver.closedByClient()).isEmpty();
    }

    // ---- the body does not decide the outcome ----

    @Test
    void aStatusWhoseBodyDoesNotComeIsAnAnswerAndItsConnectionIsClosed() {
        CountDownLatch never = new CountDownLatch(1);
        receiver.respond(Answer.bodyWhenReleased(200, never));
        sender();
        WebhookSender.Response response = post();
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.error()).isNull();
        assertThat(response.latencyMs()).isLessThan(500);
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.closedByClient().contains(1));

        // The next attempt does not get the connection with the unread body.
        assertThat(post().status()).isEqualTo(200);
        assertThat(receiver.requests()).extracting(KeepAliveReceiver.Received::connection).containsExactly(1, 2);
        never.countDown();
    }

    @Test
    void aStatusNearTheDeadlineFollowedByASlowBodyIsStillAnAnswer() {
        // 700 ms to the status of the 1 s attempt timeout, then 500 ms of body timeout: 1.2 s in all.
        CountDownLatch never = new CountDownLatch(1);
        receiver.respond(new Answer(201, "ok".getBytes(StandardCharsets.US_ASCII), 700, never));
        sender();
        WebhookSender.Response response = post();
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.error()).isNull();
        assertThat(response.latencyMs()).isBetween(650L, 1000L);
        never.countDown();
    }

    @Test
    void aBodyLargerThanTheLimitIsNotReadToItsEndAndItsConnectionIsClosed() {
        receiver.respond(Answer.withBody(200, "x".repeat(256 * 1024).getBytes(StandardCharsets.US_ASCII)));
        sender();
        assertThat(post().status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.closedByClient().contains(1));
        assertThat(post().status()).isEqualTo(200);
        assertThat(receiver.requests()).extracting(KeepAliveReceiver.Received::connection).containsExactly(1, 2);
    }

    @Test
    void aSmallBodyWithAnErrorStatusIsReadAndTheConnectionKept() {
        receiver.respond(Answer.withBody(503, "{\"error\":\"busy\"}".getBytes(StandardCharsets.US_ASCII)));
        sender();
        assertThat(post().status()).isEqualTo(503);
        assertThat(post().status()).isEqualTo(200);
        assertThat(receiver.closedByClient()).isEmpty();
    }

    // ---- after a timeout ----

    @Test
    void aResponseAfterTheTimeoutIsCountedAndItsConnectionClosed() {
        receiver.respond(Answer.after(1_300, 200));
        sender();
        WebhookSender.Response response = post();
        assertThat(response.status()).isNull();
        assertThat(response.error()).isEqualTo("no response within 1000 ms");
        assertThat(response.latencyMs()).isBetween(900L, 1_300L);

        // The receiver answers 300 ms after the deadline, within the late-response window.
        await().atMost(Duration.ofSeconds(5)).until(() ->
                answeredAfterTimeout("status", "2xx", "lag", "late", "transport", sender.transport().label()) == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.closedByClient().contains(1));
        assertThat(answeredAfterTimeout("lag", "immediate")).isZero();
        assertThat(post().status()).isEqualTo(200);
        assertThat(receiver.requests()).extracting(KeepAliveReceiver.Received::connection).containsExactly(1, 2);
    }

    @Test
    void withoutALateResponseWindowTheConnectionIsClosedAtTheDeadline() {
        receiver.respond(Answer.after(1_500, 200));
        sender("late-response-window=0s");
        assertThat(post().error()).isEqualTo("no response within 1000 ms");
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.closedByClient().contains(1));
        assertThat(answeredAfterTimeout()).isZero();
    }

    @Test
    void aResponseAfterTheWindowIsNotCounted() {
        receiver.respond(Answer.after(2_000, 200));
        sender("late-response-window=300ms");
        assertThat(post().error()).isEqualTo("no response within 1000 ms");
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.closedByClient().contains(1));
        assertThat(answeredAfterTimeout()).isZero();
    }
}
