package io.seatwatch.api.security;

import io.seatwatch.api.web.Problem;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.security.oauth2.jwt.Jwt;

/** The authenticated user of a request, read from the bearer token. */
public record Caller(String id, Set<Role> roles, String email, Instant expiresAt) {

    public static Caller of(Jwt jwt) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        List<String> claim = jwt.getClaimAsStringList("roles");
        if (claim != null) {
            claim.forEach(r -> Role.fromClaim(r).ifPresent(roles::add));
        }
        return new Caller(jwt.getSubject(), roles, jwt.getClaimAsString("email"), jwt.getExpiresAt());
    }

    public boolean is(Role role) {
        return roles.contains(role);
    }

    /** True when the caller may act as this student: the student themself. */
    public boolean isStudent(String studentId) {
        return is(Role.STUDENT) && id.equals(studentId);
    }

    /** True when the caller is the instructor named on a class. */
    public boolean instructs(String instructorId) {
        return is(Role.INSTRUCTOR) && id.equals(instructorId);
    }

    public void require(Role role) {
        if (!is(role)) {
            throw Problem.forbidden("This requires the " + role.claim() + " role.");
        }
    }

    /**
     * The check the path alone decides, before anything is read: acting for {@code studentId} needs to be
     * that student, an instructor (of the class, checked later against data) or the registrar.
     */
    public void requireMayActFor(String studentId) {
        if (!is(Role.REGISTRAR) && !is(Role.INSTRUCTOR) && !isStudent(studentId)) {
            throw Problem.forbidden("A student may act only for themself.");
        }
    }

    /** The check that needs the class: after a 404 for a missing class, before anything about the student. */
    public void requireMayActFor(String studentId, String classInstructorId) {
        if (!is(Role.REGISTRAR) && !isStudent(studentId) && !instructs(classInstructorId)) {
            throw Problem.forbidden("Only the student, the class's instructor or a registrar may do this.");
        }
    }

    /** Instructor of this class or registrar. */
    public void requireManages(String classInstructorId) {
        if (!is(Role.REGISTRAR) && !instructs(classInstructorId)) {
            throw Problem.forbidden("Only the class's instructor or a registrar may do this.");
        }
    }

    /** The path-decided half of {@link #requireManages}: an instructor or a registrar. */
    public void requireMayManage() {
        if (!is(Role.REGISTRAR) && !is(Role.INSTRUCTOR)) {
            throw Problem.forbidden("Only the class's instructor or a registrar may do this.");
        }
    }

    public String roleFlags() {
        StringBuilder sb = new StringBuilder();
        roles.forEach(r -> sb.append(r.flag()));
        return sb.toString();
    }
}
