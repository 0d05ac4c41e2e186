package io.seatwatch.api.enrollment;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/** A student's place in a class: ENROLLED (with enrolledAt) or WAITLISTED (with position, 1 = next). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Enrollment(String classId, String studentId, String status, Instant enrolledAt, Integer position) {}
