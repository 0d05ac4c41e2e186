package io.seatwatch.notifier.email;

import jakarta.mail.internet.MimeMessage;

/**
 * A composed email: the MIME message, its Message-ID (stable across attempts and replicas, so receivers
 * can tell a repeat) and its one recipient.
 */
record OutgoingEmail(String messageId, String recipient, MimeMessage message) {}
