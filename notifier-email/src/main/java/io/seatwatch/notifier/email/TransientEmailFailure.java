package io.seatwatch.notifier.email;

/**
 * A failure that may pass: the mail server unreachable or answering 4xx, a timeout, Redis unavailable, or
 * another replica still holding the lease. The binder retries it with back-off, then dead-letters it.
 */
public class TransientEmailFailure extends RuntimeException {

    public TransientEmailFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
