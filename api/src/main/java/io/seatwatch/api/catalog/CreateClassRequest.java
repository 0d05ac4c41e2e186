package io.seatwatch.api.catalog;

import io.seatwatch.api.web.Ids;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /classes}. Texts may not contain control characters (no CR/LF in an email subject later). */
public record CreateClassRequest(
        @NotBlank @Size(max = 32) @Pattern(regexp = TEXT, message = TEXT_MESSAGE) String department,
        @NotBlank @Size(max = 32) @Pattern(regexp = TEXT, message = TEXT_MESSAGE) String courseCode,
        @NotBlank @Size(max = 16) @Pattern(regexp = TEXT, message = TEXT_MESSAGE) String section,
        @NotBlank @Size(max = 200) @Pattern(regexp = TEXT, message = TEXT_MESSAGE) String title,
        @NotNull @Pattern(regexp = Ids.REGEX, message = "must match " + Ids.REGEX) String instructorId,
        @NotNull @Min(1) @Max(1000) Integer capacity,
        @Min(0) @Max(100000) Integer waitlistCapacity) {

    static final String TEXT = "[^\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]*";
    static final String TEXT_MESSAGE = "must not contain control characters or line breaks";
    static final int DEFAULT_WAITLIST_CAPACITY = 15;
}
