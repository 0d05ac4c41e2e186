package io.seatwatch.api;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** Settings of the api under {@code seatwatch.*}; defaults work on a developer machine. */
@Validated
@ConfigurationProperties("seatwatch")
public record SeatwatchProperties(
        @DefaultValue Redis redis,
        @DefaultValue RateLimit rateLimit,
        @DefaultValue Enrollment enrollment) {

    /** @param keyPrefix prefix of every Redis key and channel; tests give each class its own */
    public record Redis(@DefaultValue("sw:v1:") @NotBlank String keyPrefix) {}

    /** Token bucket per user on every write. */
    public record RateLimit(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("100") @Min(1) double writesPerSecond,
            @DefaultValue("500") @Min(1) int burst) {

        /** The rate the scripts' token bucket takes: 0 switches it off. */
        public double scriptRate() {
            return enabled ? writesPerSecond : 0;
        }
    }

    /**
     * @param maxWaitlistsPerStudent how many waitlists one student may be on at once
     * @param catalogScanBudget classes examined per page of a filtered catalog listing
     */
    public record Enrollment(
            @DefaultValue("3") @Min(1) int maxWaitlistsPerStudent,
            @DefaultValue("1000") @Min(100) int catalogScanBudget) {}
}
