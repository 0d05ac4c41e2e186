package io.seatwatch.api.events;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The relay's bookkeeping between publishing an entry and settling it, on the relay's loop thread only: entries in
 * flight (in publish order, so the oldest is checked for its confirm timeout first), entries the broker has that
 * wait for the next settle, entries an outage cut short (sent again first, in outbox order), and the backoff of an
 * outage. It takes the broker's answers in three kinds ({@link PublishOutcome}); only a refusal is counted.
 */
final class InFlightEntries {

    /** What an answer means for the relay. */
    enum Verdict {
        /** An answer to an attempt the relay no longer waits for (abandoned, or sent again since). */
        STALE,
        /** The broker has it: settle it with the next batch. */
        ACKNOWLEDGED,
        /** The broker refused it: count the refusal, then {@link #refusalCounted}. */
        REFUSED,
        /** The broker was not there: kept for a resend, backing off. */
        OUTAGE
    }

    private record Sent(OutboxStore.Entry entry, long attempt, long sentAt, RelayPublisher.Publication publication) {}

    private final LinkedHashMap<String, Sent> inFlight = new LinkedHashMap<>();
    private final Set<String> toSettle = new HashSet<>();
    private final TreeMap<String, OutboxStore.Entry> resend = new TreeMap<>(InFlightEntries::compareIds);
    private final long confirmTimeoutNanos;
    private final long maxBackoffMillis;
    private long attempts;
    private long backoffMillis;
    private long backoffUntil;

    InFlightEntries(long confirmTimeoutNanos, long maxBackoffMillis) {
        this.confirmTimeoutNanos = confirmTimeoutNanos;
        this.maxBackoffMillis = maxBackoffMillis;
    }

    /** True while the entry is in flight or waits to be settled: a fetch that returns it again skips it. */
    boolean busy(String id) {
        return inFlight.containsKey(id) || toSettle.contains(id);
    }

    int inFlight() {
        return inFlight.size();
    }

    boolean idle() {
        return inFlight.isEmpty() && toSettle.isEmpty();
    }

    /** A number for the next publish attempt, so that an answer to an earlier one can be told apart. */
    long nextAttempt() {
        return ++attempts;
    }

    void sent(OutboxStore.Entry entry, long attempt, RelayPublisher.Publication publication, long now) {
        // Fetched again (reclaimed after reclaimIdle) while kept for a resend: it goes now, once.
        resend.remove(entry.id());
        inFlight.put(entry.id(), new Sent(entry, attempt, now, publication));
    }

    /** The broker's answer to attempt {@code attempt} of entry {@code id}. */
    Verdict answered(String id, long attempt, PublishOutcome outcome, boolean keepForResend, long now) {
        Sent sent = inFlight.get(id);
        if (sent == null || sent.attempt() != attempt) {
            return Verdict.STALE;
        }
        if (outcome instanceof PublishOutcome.Acknowledged) {
            inFlight.remove(id);
            toSettle.add(id);
            backoffMillis = 0;
            return Verdict.ACKNOWLEDGED;
        }
        if (outcome instanceof PublishOutcome.Refused) {
            // Stays in flight until the refusal is counted, so that no fetch publishes it meanwhile.
            return Verdict.REFUSED;
        }
        outage(id, ((PublishOutcome.Outage) outcome).reason(), keepForResend, now);
        return Verdict.OUTAGE;
    }

    /** The refusal of {@code id} is counted (or could not be): it is no longer the relay's to track. */
    void refusalCounted(String id) {
        inFlight.remove(id);
    }

    /**
     * Publishes without an answer within the confirm timeout, oldest first: each is an outage. Returns their ids.
     */
    List<String> expire(boolean keepForResend, long now) {
        List<String> expired = new ArrayList<>();
        while (!inFlight.isEmpty()) {
            Map.Entry<String, Sent> oldest = inFlight.entrySet().iterator().next();
            if (now - oldest.getValue().sentAt() < confirmTimeoutNanos) {
                break;
            }
            expired.add(oldest.getKey());
            outage(oldest.getKey(), "no answer within the confirm timeout", keepForResend, now);
        }
        return expired;
    }

    private void outage(String id, String reason, boolean keepForResend, long now) {
        Sent sent = inFlight.remove(id);
        sent.publication().abandon(reason);
        if (keepForResend) {
            resend.put(id, sent.entry());
        }
        backoffMillis = Math.min(maxBackoffMillis, backoffMillis == 0 ? 100 : backoffMillis * 2);
        backoffUntil = now + backoffMillis * 1_000_000L;
    }

    /** True after an outage until the broker acknowledges again: the relay then probes with one entry at a time. */
    boolean probing() {
        return backoffMillis > 0;
    }

    /** Nanoseconds until the next probe may go, 0 when it may go now. */
    long backoffLeft(long now) {
        return backoffMillis == 0 ? 0 : Math.max(0, backoffUntil - now);
    }

    /** The oldest entry an outage cut short, or null: these go before anything new. */
    OutboxStore.Entry nextResend() {
        Map.Entry<String, OutboxStore.Entry> next = resend.pollFirstEntry();
        return next == null ? null : next.getValue();
    }

    boolean resendWaiting() {
        return !resend.isEmpty();
    }

    /** The lease went to another replica, which reclaims what this one kept for a resend. */
    void leaseLost() {
        resend.clear();
    }

    List<String> toSettle() {
        return List.copyOf(toSettle);
    }

    void settled(List<String> ids) {
        ids.forEach(toSettle::remove);
    }

    /** Stream ids ({@code millis-sequence}) in the stream's order. */
    static int compareIds(String a, String b) {
        int dashA = a.indexOf('-');
        int dashB = b.indexOf('-');
        int byTime = Long.compare(Long.parseLong(a.substring(0, dashA)), Long.parseLong(b.substring(0, dashB)));
        return byTime != 0 ? byTime
                : Long.compare(Long.parseLong(a.substring(dashA + 1)), Long.parseLong(b.substring(dashB + 1)));
    }
}
