package io.seatwatch.api.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * An RFC 9457 problem that ends request processing; {@link ProblemHandler} writes it as
 * {@code application/problem+json} with {@code type = /problems/<code>}.
 */
public class Problem extends RuntimeException {

    private final HttpStatus status;
    private final String code;
    private final String title;
    private final Map<String, Object> extensions = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    public Problem(HttpStatus status, String code, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.title = title;
    }

    public static Problem badRequest(String detail, List<FieldError> errors) {
        return new Problem(HttpStatus.BAD_REQUEST, "validation-failed", "Request is not valid", detail)
                .with("errors", errors);
    }

    public static Problem invalidParameter(String parameter, String detail) {
        return badRequest(detail, List.of(FieldError.parameter(parameter, detail)));
    }

    public static Problem forbidden(String detail) {
        return new Problem(HttpStatus.FORBIDDEN, "forbidden", "Not allowed", detail);
    }

    public static Problem notFound(String code, String detail) {
        return new Problem(HttpStatus.NOT_FOUND, code, "Not found", detail);
    }

    public static Problem conflict(String code, String detail) {
        return new Problem(HttpStatus.CONFLICT, code, "Conflicts with the current state", detail);
    }

    public static Problem preconditionFailed() {
        return new Problem(HttpStatus.PRECONDITION_FAILED, "precondition-failed", "Precondition failed",
                "If-Match does not match the current representation; fetch it again.");
    }

    public static Problem rateLimited(long retryAfterSeconds) {
        Problem p = new Problem(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many requests",
                "Write rate limit reached; retry after " + retryAfterSeconds + " s.");
        p.headers.put("Retry-After", Long.toString(retryAfterSeconds));
        return p.with("retryAfter", retryAfterSeconds);
    }

    /** The problem for a script's error code (see each script's header). */
    public static Problem fromScript(String code, tools.jackson.databind.JsonNode reply) {
        return switch (code) {
            case "class-not-found" -> notFound(code, "No such class.");
            case "enrollment-not-found" -> notFound(code, "The student is not enrolled in this class.");
            case "waitlist-entry-not-found" -> notFound(code, "The student is not on this class's waitlist.");
            case "forbidden" -> forbidden("Only the student, the class's instructor or a registrar may do this.");
            case "precondition-failed" -> preconditionFailed();
            case "rate-limited" -> rateLimited(reply.path("retryAfter").asLong(1));
            case "class-exists" -> conflict(code, "A class with this department, course code and section exists.")
                    .with("existingClassId", reply.path("existingClassId").asString());
            case "class-frozen" -> conflict(code, "Automatic enrollment is frozen for this class; it accepts no joins.");
            case "already-enrolled" -> conflict(code, "The student is already enrolled in this class.");
            case "already-waitlisted" -> conflict(code, "The student is already on this class's waitlist.");
            case "waitlist-full" -> conflict(code, "The class and its waitlist are full.");
            case "waitlist-limit" -> conflict(code, "The student is already on the maximum number of waitlists.");
            case "capacity-below-enrolled" -> conflict(code, "Capacity cannot be below the "
                    + reply.path("enrolledCount").asInt() + " students enrolled.");
            case "waitlist-capacity-below-waitlisted" -> conflict(code, "Waitlist capacity cannot be below the "
                    + reply.path("waitlistCount").asInt() + " students waitlisted.");
            default -> throw new IllegalStateException("unexpected script error " + code);
        };
    }

    public Problem with(String name, Object value) {
        extensions.put(name, value);
        return this;
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public Map<String, Object> extensions() {
        return extensions;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** One entry of a validation problem's {@code errors}: a JSON pointer into the body, or a parameter name. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record FieldError(String pointer, String parameter, String detail) {
        public static FieldError pointer(String pointer, String detail) {
            return new FieldError(pointer, null, detail);
        }

        public static FieldError parameter(String parameter, String detail) {
            return new FieldError(null, parameter, detail);
        }
    }
}
