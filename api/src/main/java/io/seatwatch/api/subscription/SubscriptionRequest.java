package io.seatwatch.api.subscription;

/**
 * Body of {@code PUT /students/{studentId}/subscriptions/{classId}}: at least one channel. The PUT replaces
 * the subscription, so a channel absent (or null) here is removed.
 */
public record SubscriptionRequest(String email, String webhookUrl) {}
