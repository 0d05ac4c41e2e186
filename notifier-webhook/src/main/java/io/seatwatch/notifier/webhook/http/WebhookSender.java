package io.seatwatch.notifier.webhook.http;

import io.netty.channel.ChannelOption;
import io.netty.resolver.HostsFileEntriesResolver;
import io.seatwatch.notifier.webhook.WebhookNotifierProperties;
import io.seatwatch.webhooks.WebhookAddressPolicy;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * POSTs one webhook with WebClient on Reactor Netty: connect timeout, a timeout for the whole attempt, no
 * redirects followed, no proxy, and the SSRF guard inside the resolver ({@link GuardedAddressResolverGroup}).
 * Never throws: every failure is an {@link Response} with an error text.
 */
@Component
public class WebhookSender {

    private final WebClient client;
    private final Duration attemptTimeout;

    public WebhookSender(WebClient.Builder builder, ObjectProvider<ReactorResourceFactory> resources,
                         WebhookNotifierProperties properties, WebhookAddressPolicy policy,
                         ObjectProvider<HostsFileEntriesResolver> hostsFile) {
        this.attemptTimeout = properties.attemptTimeout();
        HostsFileEntriesResolver hosts = hostsFile.getIfAvailable(() -> HostsFileEntriesResolver.DEFAULT);
        Function<HttpClient, HttpClient> configure = http -> http
                .resolver(spec -> spec.hostsFileEntriesResolver(hosts)
                        .dnsAddressResolverGroupProvider(dns -> new GuardedAddressResolverGroup(dns, policy)))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis())
                .followRedirect(false)
                .compress(false);
        ReactorResourceFactory factory = resources.getIfAvailable();
        ReactorClientHttpConnector connector = factory == null
                ? new ReactorClientHttpConnector(configure.apply(HttpClient.create()))
                : new ReactorClientHttpConnector(factory, configure);
        this.client = builder.clone().clientConnector(connector).build();
    }

    /** Sends the body as it is, with these headers; completes with the response's status or the failure. */
    public Mono<Response> post(URI url, Map<String, String> headers, byte[] body) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return client.post().uri(url)
                    .headers(h -> headers.forEach(h::set))
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(body)
                    .exchangeToMono(response -> {
                        long latency = elapsedMs(start);
                        Response answer = new Response(response.statusCode().value(), null, false, latency,
                                response.headers().asHttpHeaders().getFirst("Retry-After"));
                        // Drained (bounded by the attempt timeout) so that the connection can be reused.
                        return response.releaseBody().thenReturn(answer);
                    })
                    .timeout(attemptTimeout)
                    .onErrorResume(e -> Mono.just(failure(e, elapsedMs(start))));
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

    private static long elapsedMs(long start) {
        return (System.nanoTime() - start) / 1_000_000L;
    }

    /**
     * @param status the HTTP status, null when no response came
     * @param error why no response came
     * @param refused true when the SSRF guard refused the host: nothing was sent
     * @param retryAfter the response's Retry-After header, as sent
     */
    public record Response(Integer status, String error, boolean refused, long latencyMs, String retryAfter) {}
}
