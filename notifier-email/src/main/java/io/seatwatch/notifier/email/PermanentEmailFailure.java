package io.seatwatch.notifier.email;

/**
 * A failure that no retry can fix: a malformed event, an address the mail server refuses for good (SMTP
 * 5xx), an email that cannot be built. The binding is configured not to retry it
 * ({@code retryable-exceptions}), so the message goes to the dead-letter queue at once.
 */
public class PermanentEmailFailure extends RuntimeException {

    public PermanentEmailFailure(String message) {
        super(message);
    }

    public PermanentEmailFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
