package io.seatwatch.notifier.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.BodyPart;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;

/** The composer alone: headers, both parts, time zone, causes, escaping and what it refuses. */
class EmailComposerTest {

    static final String EVENT_ID = "3f2b8c1e-9a4d-4c6e-8f10-2a3b4c5d6e7f";

    static EmailProperties properties(String zone, Map<String, String> causes, EmailProperties.Templates templates) {
        return new EmailProperties("Seatwatch <no-reply@seatwatch.example>", "help@seatwatch.example", ZoneId.of(zone),
                Locale.ENGLISH, "EEEE d MMMM uuuu, HH:mm zzz",
                "You are enrolled in {{department}} {{courseCode}}-{{section}}: {{title}}",
                "Confirm your email address for Seatwatch notifications", "seatwatch", causes, templates,
                new EmailProperties.Dedupe(Duration.ofSeconds(60), Duration.ofDays(7), Duration.ofMillis(500)),
                new EmailProperties.Connections(4, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(2), 100),
                Duration.ofSeconds(20));
    }

    static EmailProperties.Templates defaultTemplates() {
        return new EmailProperties.Templates(new ClassPathResource("templates/promotion.txt"),
                new ClassPathResource("templates/promotion.html"), new ClassPathResource("templates/confirmation.txt"),
                new ClassPathResource("templates/confirmation.html"));
    }

    /** When the test's emails are written: the composer dates each message by the notifier's clock. */
    static final Clock SENT = Clock.fixed(Instant.parse("2026-12-09T08:07:06Z"), ZoneOffset.UTC);

    final EmailComposer composer = new EmailComposer(properties("America/Vancouver", Map.of(), defaultTemplates()), SENT);

    static EmailEvent.Promotion promotion(String title, String email) {
        return new EmailEvent.Promotion(EVENT_ID, 7, Instant.parse("2026-03-02T17:05:09.123456Z"), "c0ffee12ab34",
                "CPSC", "449", "01", title, "alice", "INSTRUCTOR_DROP", email);
    }

    /** The message as a receiver sees it: written to bytes and parsed again. */
    static MimeMessage roundTrip(OutgoingEmail email) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        email.message().writeTo(out);
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(out.toByteArray()));
    }

    static String part(MimeMessage message, String type) throws Exception {
        Multipart multipart = (Multipart) message.getContent();
        for (int i = 0; i < multipart.getCount(); i++) {
            BodyPart part = multipart.getBodyPart(i);
            if (part.isMimeType(type)) {
                return (String) part.getContent();
            }
        }
        throw new AssertionError("no " + type + " part");
    }

    @Test
    void aPromotionEmailHasItsHeadersBothPartsAndTheTimeInTheConfiguredZone() throws Exception {
        OutgoingEmail email = composer.compose(promotion("Back-end Engineering", "alice@example.edu"));
        MimeMessage m = roundTrip(email);

        assertThat(email.messageId()).isEqualTo("<" + EVENT_ID + "@seatwatch>");
        assertThat(m.getMessageID()).isEqualTo("<" + EVENT_ID + "@seatwatch>");
        assertThat(m.getSubject()).isEqualTo("You are enrolled in CPSC 449-01: Back-end Engineering");
        assertThat(((InternetAddress) m.getFrom()[0]).getAddress()).isEqualTo("no-reply@seatwatch.example");
        assertThat(((InternetAddress) m.getFrom()[0]).getPersonal()).isEqualTo("Seatwatch");
        assertThat(((InternetAddress) m.getReplyTo()[0]).getAddress()).isEqualTo("help@seatwatch.example");
        assertThat(m.getRecipients(RecipientType.TO)).extracting(a -> ((InternetAddress) a).getAddress())
                .containsExactly("alice@example.edu");
        assertThat(m.getRecipients(RecipientType.CC)).isNull();
        assertThat(m.getRecipients(RecipientType.BCC)).isNull();
        assertThat(m.getHeader("Auto-Submitted")).containsExactly("auto-generated");
        assertThat(m.getHeader("X-Seatwatch-Event-Id")).containsExactly(EVENT_ID);
        assertThat(m.getSentDate().toInstant()).isEqualTo(Instant.parse("2026-12-09T08:07:06Z"));
        assertThat(m.isMimeType("multipart/alternative")).isTrue();

        String text = part(m, "text/plain");
        String html = part(m, "text/html");
        // 17:05 UTC on 2 March 2026 is 09:05 in Vancouver (PST, UTC-8).
        for (String body : List.of(text, html)) {
            assertThat(body).contains("CPSC 449-01: Back-end Engineering")
                    .contains("Monday 2 March 2026, 09:05 PST")
                    .contains("the instructor removed an enrolled student")
                    .contains("alice").contains(EVENT_ID);
        }
        assertThat(text).contains("enrolled from the waitlist").doesNotContain("<");
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<strong>CPSC 449-01: Back-end Engineering</strong>");
    }

    @Test
    void theSameEventAlwaysGivesTheSameMessageId() {
        OutgoingEmail first = composer.compose(promotion("Back-end Engineering", "alice@example.edu"));
        OutgoingEmail again = composer.compose(promotion("Back-end Engineering", "alice@example.edu"));
        assertThat(again.messageId()).isEqualTo(first.messageId());
    }

    @Test
    void userTextCannotInjectHeadersOrHtml() throws Exception {
        String title = "Intro\r\nBcc: victim@evil.example\r\nX-Injected: yes\n\n<script>alert('x')</script> & <b>more</b>"
                + "\u202Egnp.exe\u2028Line";
        OutgoingEmail email = composer.compose(promotion(title, "alice@example.edu"));
        MimeMessage m = roundTrip(email);

        assertThat(m.getSubject()).doesNotContain("\r").doesNotContain("\n").doesNotContain("\u202E")
                .startsWith("You are enrolled in CPSC 449-01: Intro Bcc: victim@evil.example X-Injected: yes <script>");
        assertThat(m.getRecipients(RecipientType.BCC)).isNull();
        assertThat(m.getHeader("X-Injected")).isNull();
        assertThat(Collections.list(m.getAllHeaderLines())).noneMatch(h -> h.startsWith("Bcc") || h.startsWith("X-Injected"));
        assertThat(m.getAllRecipients()).hasSize(1);

        String html = part(m, "text/html");
        assertThat(html).doesNotContain("<script>").doesNotContain("<b>more</b>")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;more&lt;/b&gt;");
        String text = part(m, "text/plain");
        assertThat(text).contains("Title:    Intro Bcc: victim@evil.example X-Injected: yes <script>alert('x')</script>")
                .doesNotContain("\u202E").doesNotContain("\u2028");
    }

    @Test
    void aRecipientThatIsNotOnePlainAddressIsRefusedForGood() {
        for (String bad : List.of("alice@example.edu\r\nBcc: victim@evil.example", "Alice <alice@example.edu>",
                "alice@example.edu, bob@example.edu", "not-an-address", "a@b@c.example")) {
            assertThatThrownBy(() -> composer.compose(promotion("T", bad))).as(bad)
                    .isInstanceOf(PermanentEmailFailure.class);
        }
    }

    @Test
    void aConfirmationEmailCarriesTheLinkEscapedForEachPart() throws Exception {
        String url = "https://seatwatch.example/api/v1/email-confirmations/abc_DEF-123?x=1&y=2";
        EmailEvent.Confirmation event = new EmailEvent.Confirmation(EVENT_ID, Instant.parse("2026-03-02T17:05:09Z"),
                "c0ffee12ab34", "CPSC", "449", "01", "Back-end Engineering", "bob", "bob@elsewhere.example.org",
                URI.create(url), Instant.parse("2026-03-03T17:05:09Z"));
        MimeMessage m = roundTrip(composer.compose(event));

        assertThat(m.getSubject()).isEqualTo("Confirm your email address for Seatwatch notifications");
        assertThat(m.getMessageID()).isEqualTo("<" + EVENT_ID + "@seatwatch>");
        assertThat(m.getRecipients(RecipientType.TO)[0].toString()).isEqualTo("bob@elsewhere.example.org");
        String text = part(m, "text/plain");
        String html = part(m, "text/html");
        assertThat(text).contains(url).contains("Tuesday 3 March 2026, 09:05 PST").contains("CPSC 449-01: Back-end Engineering");
        assertThat(html).contains("href=\"https://seatwatch.example/api/v1/email-confirmations/abc_DEF-123?x=1&amp;y=2\"")
                .doesNotContain("y=2&").contains("bob");
    }

    @Test
    void aConfirmationLinkThatIsNotHttpIsRefused() {
        for (String url : List.of("javascript:alert(1)", "mailto:x@example.org", "/relative/path",
                "https://user:pw@seatwatch.example/x", "data:text/html,hi")) {
            EmailEvent.Confirmation event = new EmailEvent.Confirmation(EVENT_ID, Instant.now(), "c1", null, null, null,
                    null, "bob", "bob@example.org", URI.create(url), Instant.now());
            assertThatThrownBy(() -> composer.compose(event)).as(url).isInstanceOf(PermanentEmailFailure.class);
        }
    }

    @Test
    void causesCanBeReworded() throws Exception {
        EmailComposer custom = new EmailComposer(properties("UTC",
                Map.of("INSTRUCTOR_DROP", "Your instructor made room for you."), defaultTemplates()), SENT);
        MimeMessage m = roundTrip(custom.compose(promotion("T", "alice@example.edu")));
        assertThat(part(m, "text/plain")).contains("Your instructor made room for you.").contains("17:05 UTC");
    }

    @Test
    void aTemplateWithAnUnknownPlaceholderStopsTheAppAtStartup() {
        EmailProperties.Templates broken = new EmailProperties.Templates(
                new ByteArrayResource("Hi {{studentName}}".getBytes(StandardCharsets.UTF_8), "broken.txt"),
                new ClassPathResource("templates/promotion.html"), new ClassPathResource("templates/confirmation.txt"),
                new ClassPathResource("templates/confirmation.html"));
        assertThatThrownBy(() -> new EmailComposer(properties("UTC", Map.of(), broken), SENT))
                .hasMessageContaining("studentName");
    }

    @Test
    void textLinesDropControlAndFormatCharactersAndCollapseSpace() {
        assertThat(Text.line("  a\r\n\tb\u0000c\u200Bd\u202Ee  ", 100)).isEqualTo("a b cde");
        assertThat(Text.line("x".repeat(500), 200)).hasSize(200);
        assertThat(Text.line(null, 10)).isEmpty();
    }
}
