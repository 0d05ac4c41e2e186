package io.seatwatch.api.subscription;

import io.seatwatch.webhooks.WebhookAddressPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The rules for a webhook URL (docs/subscriptions.md, "Webhook URL"): absolute {@code https} ({@code http} only with
 * {@code seatwatch.webhooks.allow-http}), a host, no user-info, no fragment, at most 2048 characters, and
 * a host whose every address {@link WebhookAddressPolicy} allows.
 */
@Component
public class WebhookUrlValidator {

    public static final int MAX_LENGTH = 2048;
    static final Duration RESOLVE_TIMEOUT = Duration.ofSeconds(5);

    /** Canonical dotted-decimal IPv4: four numbers 0..255 without leading zeros. */
    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    /** A label that some resolvers read as a number: decimal, octal or hex. */
    private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0[xX][0-9A-Fa-f]*");

    /** Looks up every address of a host; blocking. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final boolean allowHttp;
    private final WebhookAddressPolicy policy;
    private final Resolver resolver;

    @Autowired
    public WebhookUrlValidator(WebhookProperties properties, WebhookAddressPolicy policy) {
        this(properties.allowHttp(), policy, InetAddress::getAllByName);
    }

    WebhookUrlValidator(boolean allowHttp, WebhookAddressPolicy policy, Resolver resolver) {
        this.allowHttp = allowHttp;
        this.policy = policy;
        this.resolver = resolver;
    }

    /** What is wrong with the URL's syntax, if anything; needs no network. */
    public Optional<String> syntaxProblem(String url) {
        if (url.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters");
        }
        if (url.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
            return Optional.of("must not contain spaces, control characters or non-ASCII characters (percent-encode them)");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme == null || uri.isOpaque()) {
            return Optional.of("must be an absolute " + schemes() + " URL");
        }
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            return Optional.of("must use " + schemes());
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("must not contain user info (user:password@)");
        }
        if (uri.getRawFragment() != null) {
            return Optional.of("must not contain a fragment (#...)");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return Optional.of("must have a valid host: a DNS name (letters, digits, hyphens and dots; punycode for IDNs)"
                    + " or an IP address");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            return Optional.of("port must be from 1 to 65535");
        }
        if (!host.startsWith("[") && looksNumeric(host) && !IPV4.matcher(host).matches()) {
            return Optional.of("host must be a DNS name or an IPv4 address as four decimal numbers (a.b.c.d)");
        }
        return Optional.empty();
    }

    /**
     * Resolves the host of a syntactically valid URL off the event loop and answers why it may not be used:
     * it does not resolve, or one of its addresses is not allowed. Empty when it may be used.
     */
    public Mono<String> addressProblem(String url) {
        String host = URI.create(url).getHost();
        String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return Mono.fromCallable(() -> resolver.resolve(host))
                .subscribeOn(Schedulers.boundedElastic())
                .timeout(RESOLVE_TIMEOUT)
                .flatMap(addresses -> {
                    for (InetAddress address : addresses) {
                        Optional<String> refusal = policy.refusal(address);
                        if (refusal.isPresent()) {
                            return Mono.just("host " + name + " resolves to " + address.getHostAddress() + ", "
                                    + refusal.get() + "; webhooks must reach a public address");
                        }
                    }
                    return Mono.<String>empty();
                })
                .onErrorResume(e -> e instanceof UnknownHostException || e instanceof TimeoutException,
                        e -> Mono.just("host " + name + " could not be resolved"));
    }

    private String schemes() {
        return allowHttp ? "https or http" : "https";
    }

    /**
     * True when the last label could be read as a number: a DNS name never ends in one (RFC 3696 section 2),
     * and resolvers disagree on forms like {@code 127.1}, {@code 0177.0.0.1} or {@code 0x7f000001}.
     */
    private static boolean looksNumeric(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        return NUMERIC_LABEL.matcher(h.substring(h.lastIndexOf('.') + 1)).matches();
    }
}
