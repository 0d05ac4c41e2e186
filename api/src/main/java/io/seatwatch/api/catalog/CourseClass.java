package io.seatwatch.api.catalog;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.seatwatch.api.web.EntityTags;
import tools.jackson.databind.JsonNode;

/** A class section as the API shows it; {@code version} and {@code changedAt} make its ETag. */
public record CourseClass(
        String id,
        String department,
        String courseCode,
        String section,
        String title,
        String instructorId,
        int capacity,
        int waitlistCapacity,
        int enrolledCount,
        int waitlistCount,
        boolean autoEnrollmentFrozen,
        @JsonIgnore String version,
        @JsonIgnore String changedAt) {

    /** From the string map a script's {@code read_class} returns. */
    static CourseClass from(JsonNode c) {
        return new CourseClass(
                c.path("id").asString(),
                c.path("department").asString(),
                c.path("courseCode").asString(),
                c.path("section").asString(),
                c.path("title").asString(),
                c.path("instructorId").asString(),
                Integer.parseInt(c.path("capacity").asString()),
                Integer.parseInt(c.path("waitlistCapacity").asString()),
                Integer.parseInt(c.path("enrolledCount").asString()),
                Integer.parseInt(c.path("waitlistCount").asString()),
                "1".equals(c.path("frozen").asString()),
                c.path("version").asString(),
                c.path("changedAt").asString());
    }

    @JsonIgnore
    public String etag() {
        return EntityTags.opaque(version, changedAt);
    }
}
