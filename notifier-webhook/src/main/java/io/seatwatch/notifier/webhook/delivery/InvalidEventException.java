package io.seatwatch.notifier.webhook.delivery;

/**
 * A message that is not a valid event: retrying cannot help, so it goes to the dead-letter destination at
 * once (PromotionIntake).
 */
public class InvalidEventException extends RuntimeException {

    public InvalidEventException(String message) {
        super(message);
    }
}
