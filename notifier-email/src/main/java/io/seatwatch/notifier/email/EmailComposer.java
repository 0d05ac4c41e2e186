package io.seatwatch.notifier.email;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.net.URI;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Builds the emails: From and Reply-To from configuration, one recipient, a subject naming the course, a
 * plain-text and an HTML part rendered from templates, and {@code Message-ID: <eventId@domain>}, the same
 * on every attempt. Every value that came from a user passes through {@link Text#line} (so no header or
 * line can be injected) and, in the HTML part, through HTML escaping.
 */
@Component
class EmailComposer {

    static final String AUTO_SUBMITTED = "Auto-Submitted";
    static final String EVENT_ID_HEADER = "X-Seatwatch-Event-Id";
    static final String EVENT_TYPE_HEADER = "X-Seatwatch-Event-Type";

    private static final int FIELD_MAX = 200;
    private static final int SUBJECT_MAX = 250;
    private static final Set<String> SUBJECT_FIELDS = Set.of("department", "courseCode", "section", "title", "classId");
    private static final Set<String> PROMOTION_FIELDS = Set.of("department", "courseCode", "section", "title",
            "classId", "course", "studentId", "eventId", "when", "why", "cause");
    private static final Set<String> CONFIRMATION_FIELDS = Set.of("department", "courseCode", "section", "title",
            "classId", "course", "studentId", "eventId", "email", "link", "expires", "when");

    /** What each cause means for the student; {@code seatwatch.email.causes.*} may reword them. */
    static final Map<String, String> CAUSES = Map.of(
            "STUDENT_DROP", "A seat opened because an enrolled student dropped the class.",
            "INSTRUCTOR_DROP", "A seat opened because the instructor removed an enrolled student.",
            "REGISTRAR_DROP", "A seat opened because the registrar removed an enrolled student.",
            "UNFREEZE", "Automatic enrollment from the waitlist was resumed for this class.",
            "CAPACITY_INCREASE", "The class was given more seats.");
    private static final String UNKNOWN_CAUSE = "A seat became available.";

    private final Session session = Session.getInstance(new Properties());
    private final InternetAddress from;
    private final InternetAddress replyTo;
    private final String messageIdDomain;
    private final DateTimeFormatter dateTime;
    private final Map<String, String> causes;
    private final MailTemplate promotionSubject;
    private final MailTemplate confirmationSubject;
    private final MailTemplate promotionText;
    private final MailTemplate promotionHtml;
    private final MailTemplate confirmationText;
    private final MailTemplate confirmationHtml;
    private final Clock clock;

    EmailComposer(EmailProperties properties, Clock clock) {
        this.clock = clock;
        this.from = configuredAddress("seatwatch.email.from", properties.from());
        this.replyTo = properties.replyTo() == null || properties.replyTo().isBlank() ? null
                : configuredAddress("seatwatch.email.reply-to", properties.replyTo());
        this.messageIdDomain = properties.messageIdDomain();
        this.dateTime = DateTimeFormatter.ofPattern(properties.dateTimeFormat(), properties.locale())
                .withZone(properties.timeZone());
        Map<String, String> merged = new HashMap<>(CAUSES);
        merged.putAll(properties.causes());
        this.causes = Map.copyOf(merged);
        this.promotionSubject = MailTemplate.of("seatwatch.email.promotion-subject", properties.promotionSubject(),
                SUBJECT_FIELDS, v -> v);
        this.confirmationSubject = MailTemplate.of("seatwatch.email.confirmation-subject",
                properties.confirmationSubject(), SUBJECT_FIELDS, v -> v);
        EmailProperties.Templates t = properties.templates();
        this.promotionText = MailTemplate.load(t.promotionText(), PROMOTION_FIELDS, v -> v);
        this.promotionHtml = MailTemplate.load(t.promotionHtml(), PROMOTION_FIELDS, Text::html);
        this.confirmationText = MailTemplate.load(t.confirmationText(), CONFIRMATION_FIELDS, v -> v);
        this.confirmationHtml = MailTemplate.load(t.confirmationHtml(), CONFIRMATION_FIELDS, Text::html);
    }

    OutgoingEmail compose(EmailEvent event) {
        if (event instanceof EmailEvent.Promotion p) {
            return promotion(p);
        }
        return confirmation((EmailEvent.Confirmation) event);
    }

    private OutgoingEmail promotion(EmailEvent.Promotion p) {
        Map<String, String> values = course(p.department(), p.courseCode(), p.section(), p.title(), p.classId());
        values.put("studentId", Text.line(p.studentId(), FIELD_MAX));
        values.put("eventId", p.eventId());
        values.put("when", dateTime.format(p.occurredAt()));
        values.put("cause", Text.line(p.cause(), FIELD_MAX));
        values.put("why", Text.line(causes.getOrDefault(p.cause(), UNKNOWN_CAUSE), 1000));
        return build(p, promotionSubject.render(values), promotionText.render(values), promotionHtml.render(values));
    }

    private OutgoingEmail confirmation(EmailEvent.Confirmation c) {
        Map<String, String> values = course(c.department(), c.courseCode(), c.section(), c.title(), c.classId());
        values.put("studentId", Text.line(c.studentId(), FIELD_MAX));
        values.put("eventId", c.eventId());
        values.put("email", Text.line(c.email(), FIELD_MAX));
        values.put("link", link(c.confirmationUrl()));
        values.put("expires", dateTime.format(c.expiresAt()));
        values.put("when", dateTime.format(c.occurredAt()));
        return build(c, confirmationSubject.render(values), confirmationText.render(values),
                confirmationHtml.render(values));
    }

    private static Map<String, String> course(String department, String courseCode, String section, String title,
                                              String classId) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("department", Text.line(department, FIELD_MAX));
        values.put("courseCode", Text.line(courseCode, FIELD_MAX));
        values.put("section", Text.line(section, FIELD_MAX));
        values.put("title", Text.line(title, FIELD_MAX));
        values.put("classId", Text.line(classId, FIELD_MAX));
        String name = Text.line((department == null ? "" : department) + " " + (courseCode == null ? "" : courseCode)
                + (section == null ? "" : "-" + section), FIELD_MAX);
        String course = name.isEmpty() ? "class " + values.get("classId")
                : name + (title == null ? "" : ": " + values.get("title"));
        values.put("course", course);
        return values;
    }

    /** Only absolute http(s) links without user-info go into an email, as one ASCII line. */
    private static String link(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null
                || uri.getRawUserInfo() != null) {
            throw new PermanentEmailFailure("confirmationUrl is not an absolute http(s) URL without user-info");
        }
        String ascii = uri.toASCIIString();
        if (!ascii.equals(Text.line(ascii, 4096))) {
            throw new PermanentEmailFailure("confirmationUrl contains white space or control characters");
        }
        return ascii;
    }

    private OutgoingEmail build(EmailEvent event, String subject, String text, String html) {
        InternetAddress to = recipient(event.email());
        String messageId = "<" + event.eventId() + "@" + messageIdDomain + ">";
        try {
            MimeMessage message = new StableIdMimeMessage(session, messageId);
            message.setFrom(from);
            if (replyTo != null) {
                message.setReplyTo(new InternetAddress[] {replyTo});
            }
            message.setRecipient(jakarta.mail.Message.RecipientType.TO, to);
            message.setSubject(Text.line(subject, SUBJECT_MAX), "UTF-8");
            message.setSentDate(Date.from(clock.instant()));
            message.setHeader(AUTO_SUBMITTED, "auto-generated");
            message.setHeader(EVENT_ID_HEADER, event.eventId());
            message.setHeader(EVENT_TYPE_HEADER, event.type());
            MimeBodyPart plain = new MimeBodyPart();
            plain.setText(text, "UTF-8", "plain");
            MimeBodyPart rich = new MimeBodyPart();
            rich.setText(html, "UTF-8", "html");
            message.setContent(new MimeMultipart("alternative", plain, rich));
            message.saveChanges();
            return new OutgoingEmail(messageId, to.getAddress(), message);
        } catch (MessagingException e) {
            throw new PermanentEmailFailure("Cannot build the email of event " + event.eventId() + ": " + e.getMessage(), e);
        }
    }

    /** The event's address, which must be one plain {@code local@domain} without a display name. */
    private static InternetAddress recipient(String address) {
        if (address == null || !address.equals(Text.line(address, 254)) || address.indexOf('@') < 1) {
            throw new PermanentEmailFailure("The recipient address is not a plain email address");
        }
        try {
            InternetAddress parsed = new InternetAddress(address, true);
            parsed.validate();
            if (parsed.getPersonal() != null || !parsed.getAddress().equals(address) || parsed.isGroup()) {
                throw new PermanentEmailFailure("The recipient address is not a plain email address");
            }
            return parsed;
        } catch (AddressException e) {
            throw new PermanentEmailFailure("The recipient address is invalid: " + e.getMessage());
        }
    }

    private static InternetAddress configuredAddress(String property, String value) {
        try {
            InternetAddress address = new InternetAddress(value, true);
            address.validate();
            return address;
        } catch (AddressException e) {
            throw new IllegalStateException(property + " is not a valid address: " + value, e);
        }
    }

    /** Keeps the deterministic Message-ID: {@link MimeMessage#saveChanges()} would replace it with a random one. */
    private static final class StableIdMimeMessage extends MimeMessage {

        private final String messageId;

        StableIdMimeMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
