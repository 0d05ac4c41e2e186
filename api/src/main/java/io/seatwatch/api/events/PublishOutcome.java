package io.seatwatch.api.events;

/**
 * How the broker answered one publish, in the three kinds the relay tells apart. A publisher adapter turns its
 * broker's answers (publisher confirms and returns, a producer's send result) into these.
 */
public sealed interface PublishOutcome {

    /** The broker has the message, durably: the entry can be settled. */
    record Acknowledged() implements PublishOutcome {}

    /**
     * The broker will not take this message: counts toward the dead stream. {@code kind} is a short tag for the
     * metric ({@code unroutable}, {@code nacked}, {@code too-large}, ...), {@code reason} the detail for the log.
     */
    record Refused(String kind, String reason) implements PublishOutcome {}

    /** The broker could not be reached or did not answer: nothing is counted, the relay backs off and resends. */
    record Outage(String reason) implements PublishOutcome {}

    PublishOutcome ACKNOWLEDGED = new Acknowledged();
}
