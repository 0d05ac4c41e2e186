package io.seatwatch.api.enrollment;

import io.seatwatch.api.web.Ids;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** Body of {@code POST /classes/{classId}/enrollments}. */
public record EnrollRequest(@NotNull @Pattern(regexp = Ids.REGEX, message = "must match " + Ids.REGEX) String studentId) {}
