package io.seatwatch.demo;

/** A step found something other than the story says; its message is what the user reads. */
final class StepFailed extends RuntimeException {

    StepFailed(String message) {
        super(message, null, false, false);
    }
}
