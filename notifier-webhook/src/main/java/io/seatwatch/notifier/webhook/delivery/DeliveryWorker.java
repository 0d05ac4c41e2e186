package io.seatwatch.notifier.webhook.delivery;

import io.micrometer.core.instrument.MeterRegistry;
import io.seatwatch.notifier.webhook.WebhookNotifierProperties;
import io.seatwatch.notifier.webhook.delivery.Attempt.Result;
import io.seatwatch.notifier.webhook.http.WebhookSender;
import io.seatwatch.notifier.webhook.http.WebhookSigner;
import io.seatwatch.webhooks.WebhookSecretCipher;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * One step of one delivery: an attempt (check the URL, sign, POST, classify, record) or, after the last
 * scheduled attempt failed or an address was refused, the dead-letter message.
 */
@Component
public class DeliveryWorker {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);

    private final DeliveryStore store;
    private final WebhookSender sender;
    private final WebhookSecretCipher cipher;
    private final RetryPolicy retries;
    private final DeadLetters deadLetters;
    private final MeterRegistry meters;
    private final EventTraces traces;
    private final Clock clock;
    private final boolean allowHttp;
    private final String userAgent;

    DeliveryWorker(DeliveryStore store, WebhookSender sender, WebhookSecretCipher cipher, RetryPolicy retries,
                   DeadLetters deadLetters, MeterRegistry meters, EventTraces traces, WebhookNotifierProperties properties,
                   Clock clock) {
        this.store = store;
        this.sender = sender;
        this.cipher = cipher;
        this.retries = retries;
        this.deadLetters = deadLetters;
        this.meters = meters;
        this.traces = traces;
        this.clock = clock;
        this.allowHttp = properties.allowHttp();
        this.userAgent = "Seatwatch-Webhooks/" + properties.userAgentVersion();
    }

    public Mono<Void> process(Task task, String owner) {
        if (task.deadLetter()) {
            return deadLetter(task, owner, task.status(), task.lastError(), task.autoAttempts());
        }
        return attempt(task, owner).then();
    }

    private Mono<Attempt> attempt(Task task, String owner) {
        String problem = urlProblem(task.url());
        List<String> secrets = new ArrayList<>();
        if (problem == null) {
            try {
                secrets.add(cipher.decrypt(task.secret(), task.studentId(), task.classId()));
                if (task.previousSecret() != null && task.previousUntil() != null && task.previousUntil().isAfter(clock.instant())) {
                    secrets.add(cipher.decrypt(task.previousSecret(), task.studentId(), task.classId()));
                }
            } catch (IllegalArgumentException e) {
                problem = "the signing secret cannot be used: " + e.getMessage();
            }
        }
        if (problem != null) {
            return finish(task, owner, new Attempt(Result.REFUSED, task.url(), null, problem, 0, null));
        }
        byte[] body = task.body().getBytes(StandardCharsets.UTF_8);
        long timestamp = clock.instant().getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", task.eventId());
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", WebhookSigner.signatures(secrets, task.eventId(), timestamp, body));
        headers.put("User-Agent", userAgent);
        return sender.post(URI.create(task.url()), headers, body)
                .flatMap(response -> finish(task, owner, classify(task, response)));
    }

    private Attempt classify(Task task, WebhookSender.Response response) {
        String url = task.url();
        if (response.refused()) {
            return new Attempt(Result.REFUSED, url, null, response.error(), response.latencyMs(), null);
        }
        Integer status = response.status();
        if (status != null && status >= 200 && status < 300) {
            return new Attempt(Result.SUCCESS, url, status, null, response.latencyMs(), null);
        }
        if (status != null && status == 410) {
            return new Attempt(Result.GONE, url, status, "HTTP 410 Gone: the webhook is now DISABLED", response.latencyMs(), null);
        }
        String error = status == null ? response.error()
                : "HTTP " + status + (status >= 300 && status < 400 ? " (redirects are not followed)" : "");
        if (task.replay()) {
            return new Attempt(Result.FAILURE, url, status, error, response.latencyMs(), null);
        }
        int number = task.scheduledAttempt();
        if (!retries.retriesAfter(number)) {
            return new Attempt(Result.EXHAUSTED, url, status, error, response.latencyMs(), null);
        }
        return new Attempt(Result.RETRY, url, status, error, response.latencyMs(),
                retries.delayAfter(number, response.retryAfter(), clock.instant()));
    }

    private Mono<Attempt> finish(Task task, String owner, Attempt attempt) {
        meters.counter("seatwatch.webhooks.attempts", "result", attempt.result().name().toLowerCase(Locale.ROOT)).increment();
        logAttempt(task, attempt);
        return store.record(task, owner, attempt)
                .flatMap(recorded -> recorded.deadLetter()
                        ? deadLetter(task, owner, recorded.status(), attempt.error(), task.autoAttempts() + (task.replay() ? 0 : 1))
                        : Mono.<Void>empty())
                .thenReturn(attempt);
    }

    private Mono<Void> deadLetter(Task task, String owner, String status, String error, int attempts) {
        return Mono.fromRunnable(() -> deadLetters.publish(task, status, error, attempts))
                .subscribeOn(Schedulers.boundedElastic())
                .then(store.deadLettered(task, owner))
                .doOnSuccess(v -> {
                    meters.counter("seatwatch.webhooks.dead-lettered").increment();
                    traces.inTraceOf(task, "webhook dead-letter", () -> log.warn(
                            "Webhook delivery of event {} to {} dead-lettered ({}): {}", task.eventId(), task.url(), status, error));
                });
    }

    private void logAttempt(Task task, Attempt attempt) {
        String what = "Webhook {} attempt for event {} (student {}, class {}) to {}: {} {} in {} ms{}";
        Object[] args = {task.trigger(), task.eventId(), task.studentId(), task.classId(), attempt.url(), attempt.result(),
                attempt.statusCode() != null ? attempt.statusCode() : attempt.error(), attempt.latencyMs(),
                attempt.retryDelay() == null ? "" : ", next in " + attempt.retryDelay().toMillis() + " ms"};
        boolean bad = attempt.result() == Result.REFUSED || attempt.result() == Result.GONE || attempt.result() == Result.EXHAUSTED;
        traces.inTraceOf(task, "webhook attempt", () -> {
            if (bad) {
                log.warn(what, args);
            } else {
                log.info(what, args);
            }
        });
    }

    /** Why this URL is not tried (checked again here: allow-http may differ from the api's at PUT time). */
    private String urlProblem(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "the webhook URL is not a valid URL";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            return "the webhook URL must use https" + (allowHttp ? " or http" : "") + ", not '" + scheme + "'";
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            return "the webhook URL must have a host and no user info";
        }
        return null;
    }
}
