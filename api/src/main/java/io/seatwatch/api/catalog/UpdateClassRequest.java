package io.seatwatch.api.catalog;

import io.seatwatch.api.web.Ids;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

/** Body of {@code PATCH /classes/{classId}}: absent or null fields stay as they are. */
public record UpdateClassRequest(
        @Pattern(regexp = Ids.REGEX, message = "must match " + Ids.REGEX) String instructorId,
        @Min(1) @Max(1000) Integer capacity,
        @Min(0) @Max(100000) Integer waitlistCapacity,
        Boolean autoEnrollmentFrozen) {

    boolean empty() {
        return instructorId == null && capacity == null && waitlistCapacity == null && autoEnrollmentFrozen == null;
    }
}
