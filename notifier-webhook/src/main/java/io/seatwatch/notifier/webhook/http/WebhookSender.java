package io.seatwatch.notifier.webhook.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.resolver.HostsFileEntriesResolver;
import io.seatwatch.notifier.webhook.WebhookNotifierProperties;
import io.seatwatch.webhooks.WebhookAddressPolicy;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.channel.ChannelOperations;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.util.context.Context;

/**
 * POSTs one webhook with WebClient on Reactor Netty, on event loops and a connection pool of its own: the
 * transport chosen by {@code seatwatch.webhooks.transport} ({@link WebhookTransport}), connect timeout, no
 * redirects followed, no proxy, and the SSRF guard inside the resolver ({@link GuardedAddressResolverGroup}).
 *
 * <p>An attempt is answered once the status line and headers have arrived within the attempt timeout. Of the body
 * at most {@value #BODY_LIMIT} bytes are read, within the body timeout; a body that is larger or slower does not
 * change the outcome, and its connection is closed instead of going back to the pool. After a timeout the
 * connection is still read for a while: a response that comes then is counted as
 * {@code seatwatch.webhooks.answered-after-timeout} (the receiver did answer; the retry will repeat the webhook).
 * Never throws: every failure is a {@link Response} with an error text.
 */
@Component
public class WebhookSender implements DisposableBean {

    /** How much of a response body is read: receivers answer a webhook with their status, not with content. */
    public static final int BODY_LIMIT = 4 * 1024;

    /**
     * A late response read this soon after the timeout's own read request had most likely been waiting, unread, in
     * the socket: the client missed it rather than the receiver being slow.
     */
    static final Duration IMMEDIATE = Duration.ofMillis(100);

    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

    private final WebClient client;
    private final Duration attemptTimeout;
    private final Duration bodyTimeout;
    private final Duration lateResponseWindow;
    private final WebhookTransport transport;
    private final EventLoopGroup loops;
    private final ConnectionProvider pool;
    private final MeterRegistry meters;

    public WebhookSender(WebClient.Builder builder, WebhookNotifierProperties properties, WebhookAddressPolicy policy,
                         ObjectProvider<HostsFileEntriesResolver> hostsFile, MeterRegistry meters) {
        this.attemptTimeout = properties.attemptTimeout();
        this.bodyTimeout = properties.bodyTimeout();
        this.lateResponseWindow = properties.lateResponseWindow();
        this.meters = meters;
        this.transport = available(properties.transport());
        this.loops = transport.newEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()));
        // Enough connections per receiver for every attempt in flight and for those still watched after a
        // timeout: an attempt never waits for a connection, so its timeout is not spent queueing behind others.
        this.pool = ConnectionProvider.builder("webhooks")
                .maxConnections(2 * properties.maxInFlight())
                .pendingAcquireTimeout(properties.attemptTimeout())
                .maxIdleTime(properties.poolMaxIdleTime())
                .evictInBackground(properties.poolMaxIdleTime())
                .build();
        HostsFileEntriesResolver hosts = hostsFile.getIfAvailable(() -> HostsFileEntriesResolver.DEFAULT);
        HttpClient http = HttpClient.create(pool)
                .runOn(loops)
                .resolver(spec -> spec.hostsFileEntriesResolver(hosts)
                        .dnsAddressResolverGroupProvider(dns -> new GuardedAddressResolverGroup(dns, policy)))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis())
                .followRedirect(false)
                .compress(false)
                .doOnRequest((request, connection) -> request.currentContextView().<Exchange>getOrEmpty(Exchange.class)
                        .ifPresent(exchange -> exchange.connection = connection));
        this.client = builder.clone().clientConnector(new ReactorClientHttpConnector(http)).build();
        log.info("Webhooks are sent on the {} transport (threads webhook-{}-N)", transport.label(), transport.label());
    }

    private static WebhookTransport available(WebhookTransport wanted) {
        if (!wanted.isAvailable()) {
            log.warn("The {} transport is not available here ({}); webhooks are sent on nio", wanted.label(),
                    wanted.unavailabilityCause());
            return WebhookTransport.NIO;
        }
        if (wanted == WebhookTransport.IO_URING) {
            log.warn("Webhooks are sent on io_uring: with the Netty of this build it can leave a response on a reused "
                    + "connection unread (a false timeout, then a duplicate delivery); watch "
                    + "seatwatch.webhooks.answered-after-timeout{{lag=immediate}}");
        }
        return wanted;
    }

    /** The transport webhooks are actually sent on. */
    public WebhookTransport transport() {
        return transport;
    }

    /** Sends the body as it is, with these headers; completes with the response's status or the failure. */
    public Mono<Response> post(URI url, Map<String, String> headers, byte[] body) {
        return Mono.deferContextual(caller -> {
            Exchange exchange = new Exchange(url);
            exchange.start(client.post().uri(url)
                    .headers(h -> headers.forEach(h::set))
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(body)
                    .retrieve()
                    // Every status is an answer to record, none is an error.
                    .onStatus(status -> true, response -> Mono.empty())
                    .toEntityFlux(DataBuffer.class)
                    .contextWrite(caller)
                    .contextWrite(Context.of(Exchange.class, exchange)));
            return exchange.outcome.asMono()
                    .flatMap(outcome -> {
                        if (outcome instanceof Answered answered) {
                            return readBody(exchange, answered);
                        }
                        if (outcome instanceof Failed failed) {
                            return Mono.just(failure(failed.error(), failed.latencyMs()));
                        }
                        return Mono.just(new Response(null, "no response within " + attemptTimeout.toMillis() + " ms",
                                false, ((TimedOut) outcome).latencyMs(), null));
                    })
                    .doOnCancel(exchange::abandon);
        });
    }

    /** The answer stands whatever the body does; a body not read to its end closes the connection. */
    private Mono<Response> readBody(Exchange exchange, Answered answered) {
        ResponseEntity<Flux<DataBuffer>> entity = answered.entity();
        Response response = new Response(entity.getStatusCode().value(), null, false, answered.latencyMs(),
                entity.getHeaders().getFirst("Retry-After"));
        Flux<DataBuffer> content = entity.getBody() == null ? Flux.empty() : entity.getBody();
        return content
                .map(buffer -> {
                    int size = buffer.readableByteCount();
                    DataBufferUtils.release(buffer);
                    return (long) size;
                })
                .scan(0L, Long::sum)
                .takeUntil(total -> total > BODY_LIMIT)
                .last(0L)
                .map(total -> total > BODY_LIMIT ? "larger than " + BODY_LIMIT + " bytes" : "")
                .timeout(bodyTimeout, Mono.just("not complete within " + bodyTimeout.toMillis() + " ms"))
                .onErrorResume(e -> Mono.just("broken off: " + e))
                .map(unread -> {
                    if (!unread.isEmpty()) {
                        exchange.closeConnection();
                        log.debug("Webhook response {} from {}: body {}, connection closed", response.status(),
                                exchange.url, unread);
                    }
                    return response;
                });
    }

    private Response failure(Throwable error, long latency) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof AddressRefusedException refused) {
                return new Response(null, refused.getMessage(), true, latency, null);
            }
        }
        return new Response(null, describe(error), false, latency, null);
    }

    private String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (error instanceof TimeoutException || root instanceof TimeoutException) {
            return "no response within " + attemptTimeout.toMillis() + " ms";
        }
        if (root instanceof io.netty.channel.ConnectTimeoutException) {
            return "connect timed out";
        }
        if (root instanceof UnknownHostException) {
            return "host did not resolve: " + root.getMessage();
        }
        if (root instanceof ConnectException) {
            return "connection failed: " + root.getMessage();
        }
        if (root instanceof SSLException) {
            return "TLS failed: " + root.getMessage();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    private static long elapsedMs(long since) {
        return (System.nanoTime() - since) / 1_000_000L;
    }

    @Override
    public void destroy() {
        pool.disposeLater().block(Duration.ofSeconds(5));
        loops.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(6, TimeUnit.SECONDS);
    }

    /**
     * @param status the HTTP status, null when no response came
     * @param error why no response came
     * @param refused true when the SSRF guard refused the host: nothing was sent
     * @param retryAfter the response's Retry-After header, as sent
     */
    public record Response(Integer status, String error, boolean refused, long latencyMs, String retryAfter) {}

    /** How the wait for the status line ended: exactly one of these per attempt. */
    private sealed interface Outcome permits Answered, Failed, TimedOut {}

    private record Answered(ResponseEntity<Flux<DataBuffer>> entity, long latencyMs) implements Outcome {}

    private record Failed(Throwable error, long latencyMs) implements Outcome {}

    private record TimedOut(long latencyMs) implements Outcome {}

    private enum State { WAITING, ANSWERED, FAILED, TIMED_OUT, OVER }

    /**
     * One attempt's exchange. It runs on its own subscription rather than under a timeout operator, because a
     * timeout would cancel it and close the connection at once: this way the connection outlives the deadline by
     * the late-response window, and a response that comes then is seen.
     */
    private final class Exchange {

        final URI url;
        final long start = System.nanoTime();
        final Sinks.One<Outcome> outcome = Sinks.one();
        final AtomicReference<State> state = new AtomicReference<>(State.WAITING);
        final Disposable.Swap timer = Disposables.swap();
        volatile Disposable sending;
        /** Set by the client just before the request goes out on it. */
        volatile Connection connection;
        volatile long deadlineNanos;

        Exchange(URI url) {
            this.url = url;
        }

        void start(Mono<ResponseEntity<Flux<DataBuffer>>> exchange) {
            timer.replace(Schedulers.parallel().schedule(this::deadline, attemptTimeout.toNanos(), TimeUnit.NANOSECONDS));
            sending = exchange.subscribe(this::answered, this::failed);
        }

        void answered(ResponseEntity<Flux<DataBuffer>> entity) {
            if (state.compareAndSet(State.WAITING, State.ANSWERED)) {
                timer.dispose();
                outcome.tryEmitValue(new Answered(entity, elapsedMs(start)));
            } else if (state.compareAndSet(State.TIMED_OUT, State.OVER)) {
                timer.dispose();
                late(entity);
            } else {
                discard(entity);
            }
        }

        void failed(Throwable error) {
            if (state.compareAndSet(State.WAITING, State.FAILED)) {
                timer.dispose();
                outcome.tryEmitValue(new Failed(error, elapsedMs(start)));
            } else if (state.compareAndSet(State.TIMED_OUT, State.OVER)) {
                timer.dispose();
            }
        }

        void deadline() {
            if (!state.compareAndSet(State.WAITING, State.TIMED_OUT)) {
                return;
            }
            deadlineNanos = System.nanoTime();
            Connection sentOn = connection;
            if (lateResponseWindow.isZero() || sentOn == null) {
                state.set(State.OVER);
                stop();
            } else {
                // A read request of its own: a response that arrived but that the transport left unread comes now.
                sentOn.channel().read();
                timer.replace(Schedulers.parallel().schedule(this::windowOver, lateResponseWindow.toNanos(),
                        TimeUnit.NANOSECONDS));
            }
            outcome.tryEmitValue(new TimedOut(elapsedMs(start)));
        }

        void windowOver() {
            if (state.compareAndSet(State.TIMED_OUT, State.OVER)) {
                stop();
            }
        }

        /** The caller went away: nothing more is read, nothing reused. */
        void abandon() {
            State was = state.getAndSet(State.OVER);
            timer.dispose();
            if (was != State.ANSWERED) {
                stop();
            }
        }

        private void late(ResponseEntity<Flux<DataBuffer>> entity) {
            long lateMs = elapsedMs(deadlineNanos);
            int status = entity.getStatusCode().value();
            String lag = lateMs <= IMMEDIATE.toMillis() ? "immediate" : "late";
            meters.counter("seatwatch.webhooks.answered-after-timeout", "status", (status / 100) + "xx", "lag", lag,
                    "transport", transport.label()).increment();
            log.warn("Webhook to {} was answered {} {} ms after its attempt timed out at {} ms (lag={}): the attempt "
                    + "stays a timeout, and its retry sends the event again with the same webhook-id", url, status, lateMs,
                    attemptTimeout.toMillis(), lag);
            discard(entity);
        }

        private void discard(ResponseEntity<Flux<DataBuffer>> entity) {
            closeConnection();
            if (entity.getBody() != null) {
                entity.getBody().subscribe(DataBufferUtils::release, e -> { });
            }
        }

        private void stop() {
            Disposable s = sending;
            if (s != null) {
                s.dispose();
            }
            closeConnection();
        }

        /** Closes the attempt's connection, unless it already went back to the pool and serves another request. */
        void closeConnection() {
            Connection c = connection;
            if (c != null && ChannelOperations.get(c.channel()) == c) {
                c.channel().close();
            }
        }
    }
}
