package io.seatwatch.api.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.seatwatch.webhooks.WebhookAddressPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** URL syntax and host resolution, with a fake resolver (no network). */
class WebhookUrlValidatorTest {

    private static final Map<String, List<String>> DNS = Map.of(
            "hooks.example.com", List.of("203.0.113.10", "2001:db8::10"),
            "split.example.com", List.of("203.0.113.11", "10.0.0.5"),
            "v6-private.example.com", List.of("203.0.113.12", "fd00::1"),
            "internal.example.com", List.of("10.20.1.1"));

    private final List<String> lookups = new CopyOnWriteArrayList<>();
    private final List<String> lookupThreads = new CopyOnWriteArrayList<>();

    private WebhookUrlValidator validator(boolean allowHttp, String allowedCidrs) {
        return new WebhookUrlValidator(allowHttp, WebhookAddressPolicy.withAllowedCidrs(allowedCidrs), host -> {
            lookups.add(host);
            lookupThreads.add(Thread.currentThread().getName());
            if (host.startsWith("[")) {
                return new InetAddress[] {InetAddress.getByName(host)};
            }
            if (host.matches("[0-9.]+")) {
                return new InetAddress[] {InetAddress.getByName(host)};
            }
            List<String> addresses = DNS.get(host);
            if (addresses == null) {
                throw new UnknownHostException(host);
            }
            InetAddress[] out = new InetAddress[addresses.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = InetAddress.getByName(addresses.get(i));
            }
            return out;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://hooks.example.com/seatwatch", "https://hooks.example.com", "HTTPS://Hooks.Example.com:8443/a?b=c",
            "https://hooks.example.com./x", "https://203.0.113.10/hook", "https://[2001:db8::1]/hook",
            "https://xn--bcher-kva.example/hook"})
    void acceptsAbsoluteHttpsUrls(String url) {
        assertThat(validator(false, "").syntaxProblem(url)).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "''                                  | must be an absolute https URL",
            "/relative/path                      | must be an absolute https URL",
            "hooks.example.com/path              | must be an absolute https URL",
            "https:opaque                        | must be an absolute https URL",
            "http://hooks.example.com/h          | must use https",
            "ftp://hooks.example.com/h           | must use https",
            "javascript://hooks.example.com/%0a  | must use https",
            "https://user:pw@hooks.example.com/  | must not contain user info",
            "https://user@hooks.example.com/     | must not contain user info",
            "https://hooks.example.com/h#frag    | must not contain a fragment",
            "https://hooks.example.com/h#        | must not contain a fragment",
            "https:///path                       | must have a valid host",
            "https://under_score.example.com/    | must have a valid host",
            "https://hooks.example.com:0/        | port must be from 1 to 65535",
            "https://hooks.example.com:70000/    | port must be from 1 to 65535",
            "https://hooks.example.com/a b       | must not contain spaces",
            "https://bücher.example/             | non-ASCII",
            "https://hooks.example.com/%zz       | is not a valid URL",
            "https://[::1/                       | is not a valid URL",
            "https://127.1/                      | must have a valid host",
            "https://0177.0.0.1/                 | four decimal numbers",
            "https://0x7f000001/                 | four decimal numbers",
            "https://2130706433/                 | four decimal numbers",
            "https://1.2.3.4.5/                  | must have a valid host",
            "https://example.123/                | must have a valid host",
            "https://example.0x1/                | must have a valid host"})
    void refusesMalformedUrls(String url, String problem) {
        assertThat(validator(false, "").syntaxProblem(url.strip())).get().asString().contains(problem.strip());
    }

    @Test
    void refusesControlCharactersAndOverlongUrls() {
        WebhookUrlValidator v = validator(false, "");
        assertThat(v.syntaxProblem("https://hooks.example.com/\r\nX-Injected: 1")).get().asString().contains("control");
        String max = "https://hooks.example.com/" + "a".repeat(WebhookUrlValidator.MAX_LENGTH - 26);
        assertThat(max).hasSize(WebhookUrlValidator.MAX_LENGTH);
        assertThat(v.syntaxProblem(max)).isEmpty();
        assertThat(v.syntaxProblem(max + "a")).get().asString().contains("at most 2048 characters");
    }

    @Test
    void plainHttpOnlyWhenAllowed() {
        assertThat(validator(true, "").syntaxProblem("http://hooks.example.com/h")).isEmpty();
        assertThat(validator(true, "").syntaxProblem("ftp://hooks.example.com/h")).get().asString()
                .isEqualTo("must use https or http");
    }

    @Test
    void everyResolvedAddressMustBeAllowedAndTheLookupLeavesTheCallersThread() {
        WebhookUrlValidator v = validator(false, "");
        assertThat(v.addressProblem("https://hooks.example.com/h").blockOptional(Duration.ofSeconds(5))).isEmpty();
        assertThat(v.addressProblem("https://split.example.com/h").block(Duration.ofSeconds(5)))
                .isEqualTo("host split.example.com resolves to 10.0.0.5, a private address (10.0.0.0/8);"
                        + " webhooks must reach a public address");
        assertThat(v.addressProblem("https://v6-private.example.com/h").block(Duration.ofSeconds(5)))
                .contains("fd00:0:0:0:0:0:0:1").contains("unique-local");
        assertThat(v.addressProblem("https://[::1]:8443/h").block(Duration.ofSeconds(5)))
                .contains("host ::1 resolves to").contains("IPv6 loopback");
        assertThat(v.addressProblem("https://nowhere.example.com/h").block(Duration.ofSeconds(5)))
                .isEqualTo("host nowhere.example.com could not be resolved");
        assertThat(lookups).contains("hooks.example.com", "split.example.com", "[::1]", "nowhere.example.com");
        assertThat(lookupThreads).allMatch(name -> name.startsWith("boundedElastic"));
    }

    @Test
    void allowedCidrsLetAnInternalReceiverThrough() {
        assertThat(validator(false, "10.20.0.0/16").addressProblem("https://internal.example.com/h")
                .blockOptional(Duration.ofSeconds(5))).isEmpty();
        assertThat(validator(false, "10.21.0.0/16").addressProblem("https://internal.example.com/h")
                .block(Duration.ofSeconds(5))).contains("private address");
    }
}
