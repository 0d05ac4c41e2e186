package io.seatwatch.api.web;

/**
 * A read with its validator (version and Redis change time). When the request's precondition held,
 * {@code notModified} is true and {@code value} was not read.
 */
public record Versioned<T>(T value, String version, String changedAt, boolean notModified) {}
