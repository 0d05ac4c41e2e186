package io.seatwatch.notifier.email;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.io.Resource;
import org.springframework.validation.annotation.Validated;

/**
 * What the emails look like and how they are deduplicated ({@code seatwatch.email.*}). Retries of failed
 * sends are the binder's ({@code spring.cloud.stream.bindings.email-in-0.consumer.*}); see the README.
 *
 * @param from                sender, RFC 5322 ({@code Seatwatch <no-reply@example.edu>})
 * @param replyTo             Reply-To address; none when blank
 * @param timeZone            zone in which times are written in emails
 * @param locale              language of dates (month and day names)
 * @param dateTimeFormat      {@link java.time.format.DateTimeFormatter} pattern of times in emails
 * @param promotionSubject    subject of the promotion email; placeholders {{department}}, {{courseCode}},
 *                            {{section}}, {{title}}, {{classId}}
 * @param confirmationSubject subject of the address confirmation email; same placeholders (empty when the
 *                            event has no course details)
 * @param messageIdDomain     right-hand side of {@code Message-ID: <eventId@domain>}
 * @param causes              overrides of the sentence that explains a cause ({@code STUDENT_DROP: "…"})
 * @param templates           body templates: plain text and HTML per email
 * @param dedupe              lease and done marker in Redis
 * @param connections         SMTP connections kept open between emails
 * @param shutdownTimeout     how long stopping waits for an email in progress (its retries included); a
 *                            message still unfinished then is left unacknowledged, so the broker redelivers it
 */
@Validated
@ConfigurationProperties("seatwatch.email")
public record EmailProperties(
        @NotBlank String from,
        String replyTo,
        @NotNull @DefaultValue("UTC") ZoneId timeZone,
        @NotNull @DefaultValue("en") Locale locale,
        @NotBlank @DefaultValue("EEEE d MMMM uuuu, HH:mm zzz") String dateTimeFormat,
        @NotBlank @DefaultValue("You are enrolled in {{department}} {{courseCode}}-{{section}}: {{title}}") String promotionSubject,
        @NotBlank @DefaultValue("Confirm your email address for Seatwatch notifications") String confirmationSubject,
        @Pattern(regexp = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*",
                message = "must be a dot-atom such as seatwatch or mail.example.edu")
        @DefaultValue("seatwatch") String messageIdDomain,
        Map<String, String> causes,
        @NotNull @DefaultValue Templates templates,
        @NotNull @DefaultValue Dedupe dedupe,
        @NotNull @Valid @DefaultValue Connections connections,
        @NotNull @DefaultValue("20s") Duration shutdownTimeout) {

    public EmailProperties {
        causes = causes == null ? Map.of() : Map.copyOf(causes);
    }

    /** Body templates ({@code {{name}}} placeholders; values are escaped for the part they go into). */
    public record Templates(
            @DefaultValue("classpath:templates/promotion.txt") Resource promotionText,
            @DefaultValue("classpath:templates/promotion.html") Resource promotionHtml,
            @DefaultValue("classpath:templates/confirmation.txt") Resource confirmationText,
            @DefaultValue("classpath:templates/confirmation.html") Resource confirmationHtml) {}

    /**
     * Effectively-once delivery per (eventId, address).
     *
     * @param leaseTtl  lifetime of the {@code sending} lease: about twice the longest SMTP attempt (the
     *                  connections' max-wait plus the mail timeouts, see application.yml); a redelivery waits at
     *                  most this long for a claimer that died
     * @param doneTtl   how long the {@code done} marker makes redeliveries of a sent email no-ops
     * @param leasePoll how often a redelivery that found a live lease looks again
     */
    public record Dedupe(
            @DefaultValue("60s") Duration leaseTtl,
            @DefaultValue("7d") Duration doneTtl,
            @DefaultValue("500ms") Duration leasePoll) {}

    /**
     * SMTP connections kept open between emails, each carrying one email at a time.
     *
     * @param maxOpen         most connections open at once; at least the binding's {@code concurrency}, or
     *                        consumers wait for each other
     * @param maxWait         how long a send waits for a connection when all {@code maxOpen} are busy (then it
     *                        fails and is retried)
     * @param idleTimeout     a connection unused this long is closed (QUIT); keep it under the server's own idle
     *                        limit (RFC 5321 asks servers for at least 5 minutes)
     * @param verifyAfterIdle a connection unused longer than this is checked with NOOP before it carries an email
     * @param maxEmails       emails per connection, then it is closed and a new one opened (servers cap them;
     *                        1 opens a connection per email)
     */
    public record Connections(
            @Positive @DefaultValue("4") int maxOpen,
            @NotNull @DurationMin(millis = 1) @DefaultValue("10s") Duration maxWait,
            @NotNull @DurationMin(millis = 1) @DefaultValue("30s") Duration idleTimeout,
            @NotNull @DurationMin(millis = 0) @DefaultValue("2s") Duration verifyAfterIdle,
            @Positive @DefaultValue("100") int maxEmails) {}
}
