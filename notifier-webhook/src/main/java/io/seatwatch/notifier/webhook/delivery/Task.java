package io.seatwatch.notifier.webhook.delivery;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * A delivery claimed for one step: an attempt (to the subscription's current URL, signed with its current
 * secrets, still sealed here) or the dead-letter message after the last scheduled attempt failed.
 *
 * @param autoAttempts scheduled attempts made so far; the next scheduled one is number autoAttempts + 1
 * @param previousUntil until when the previous secret (after a rotation) signs too; null without one
 * @param body the exact webhook body stored at first receipt, sent by every attempt and replay
 * @param event the event as it was received, for the dead-letter message
 */
public record Task(String eventId, String action, String trigger, int autoAttempts, String status, String studentId,
                   String classId, String url, String secret, String previousSecret, Instant previousUntil,
                   String body, String event, String lastError) {

    static Task of(JsonNode t) {
        String until = text(t, "previousUntil");
        return new Task(text(t, "eventId"), text(t, "action"), text(t, "trigger"),
                Integer.parseInt(t.path("autoAttempts").asString("0")), text(t, "status"), text(t, "studentId"),
                text(t, "classId"), text(t, "url"), text(t, "secret"), text(t, "previousSecret"),
                until == null ? null : Micros.toInstant(until), text(t, "body"), text(t, "event"), text(t, "lastError"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode n = node.get(field);
        return n == null || !n.isString() ? null : n.asString();
    }

    public boolean deadLetter() {
        return "dead-letter".equals(action);
    }

    public boolean replay() {
        return "replay".equals(trigger);
    }

    /** The number this attempt has among the scheduled ones (a replay does not count). */
    public int scheduledAttempt() {
        return autoAttempts + 1;
    }

    @Override
    public String toString() {
        return "Task[eventId=" + eventId + ", action=" + action + ", trigger=" + trigger + ", autoAttempts=" + autoAttempts
                + ", url=" + url + "]";
    }
}
