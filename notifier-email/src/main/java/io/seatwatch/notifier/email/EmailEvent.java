package io.seatwatch.notifier.email;

import java.net.URI;
import java.time.Instant;

/** The events this app mails (schemas in {@code docs/events/}). */
sealed interface EmailEvent {

    String eventId();

    /** The address to mail, or null when there is none (a promotion without an ACTIVE email). */
    String email();

    /** The event type, also the metric tag. */
    String type();

    /** {@code EnrollmentPromoted} v1: a waitlisted student was enrolled automatically. */
    record Promotion(String eventId, long sequence, Instant occurredAt, String classId, String department,
                     String courseCode, String section, String title, String studentId, String cause,
                     String email) implements EmailEvent {

        static final String TYPE = "EnrollmentPromoted";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code EmailConfirmationRequested} v1: mail the one-time confirmation link to a PENDING address. */
    record Confirmation(String eventId, Instant occurredAt, String classId, String department, String courseCode,
                        String section, String title, String studentId, String email, URI confirmationUrl,
                        Instant expiresAt) implements EmailEvent {

        static final String TYPE = "EmailConfirmationRequested";

        @Override
        public String type() {
            return TYPE;
        }
    }
}
