package io.seatwatch.api.web.openapi;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;

/**
 * Every problem type the api answers ({@code type: /problems/<code>}), with the status and title it is sent
 * with, for the OpenAPI document. The codes are decided where the problems are built ({@code web.Problem},
 * {@code web.ProblemHandler}, {@code security.SecurityConfig}, the services' script error mappings); a new
 * code belongs here too.
 */
public final class ProblemTypes {

    /** One problem type: {@code title} is the exact title of its responses, {@code when} explains it. */
    public record ProblemType(String code, HttpStatus status, String title, String when) {
        public String type() {
            return "/problems/" + code;
        }
    }

    public static final List<ProblemType> ALL = List.of(
            // 400
            new ProblemType("validation-failed", HttpStatus.BAD_REQUEST, "Request is not valid",
                    "A parameter or body field is invalid, unknown or mistyped; `errors` names each one by JSON "
                            + "`pointer` (body) or `parameter` (path or query)."),
            new ProblemType("malformed-json", HttpStatus.BAD_REQUEST, "Malformed JSON",
                    "The request body is not valid JSON."),
            new ProblemType("bad-request", HttpStatus.BAD_REQUEST, "Bad request",
                    "The request cannot be read: a required body is missing, or the path contains characters or "
                            + "segments that are not allowed (encoded slashes, dot segments...)."),
            // 401, 403
            new ProblemType("unauthorized", HttpStatus.UNAUTHORIZED, "Authentication required",
                    "No bearer token, or one that is expired, wrongly signed or otherwise invalid "
                            + "(with `WWW-Authenticate: Bearer`)."),
            new ProblemType("forbidden", HttpStatus.FORBIDDEN, "Not allowed",
                    "The caller's roles or identity do not allow this (wrong role, another student, not the "
                            + "class's instructor)."),
            // 404
            new ProblemType("not-found", HttpStatus.NOT_FOUND, HttpStatus.NOT_FOUND.getReasonPhrase(),
                    "No such route."),
            new ProblemType("class-not-found", HttpStatus.NOT_FOUND, "Not found", "No such class."),
            new ProblemType("enrollment-not-found", HttpStatus.NOT_FOUND, "Not found",
                    "The student is not enrolled in this class."),
            new ProblemType("waitlist-entry-not-found", HttpStatus.NOT_FOUND, "Not found",
                    "The student is not on this class's waitlist."),
            new ProblemType("subscription-not-found", HttpStatus.NOT_FOUND, "Not found",
                    "The student has no subscription to this class."),
            new ProblemType("webhook-not-found", HttpStatus.NOT_FOUND, "Not found",
                    "The subscription has no webhook."),
            new ProblemType("delivery-not-found", HttpStatus.NOT_FOUND, "Not found",
                    "The subscription has no webhook delivery of that event (deliveries are kept 30 days)."),
            new ProblemType("confirmation-not-found", HttpStatus.NOT_FOUND, "Not found",
                    "The email confirmation link is unknown, has expired or was already used."),
            // 405, 406
            new ProblemType("method-not-allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed",
                    "The route does not support this method; `Allow` lists those it does."),
            new ProblemType("not-acceptable", HttpStatus.NOT_ACCEPTABLE, HttpStatus.NOT_ACCEPTABLE.getReasonPhrase(),
                    "No representation matches the `Accept` header."),
            // 409
            new ProblemType("class-exists", HttpStatus.CONFLICT, "Conflicts with the current state",
                    "A class with this department, course code and section exists; `existingClassId` names it."),
            new ProblemType("class-frozen", HttpStatus.CONFLICT, "Conflicts with the current state",
                    "Automatic enrollment is frozen for this class; it accepts no joins."),
            new ProblemType("already-enrolled", HttpStatus.CONFLICT, "Conflicts with the current state",
                    "The student is already enrolled in this class."),
            new ProblemType("already-waitlisted", HttpStatus.CONFLICT, "Conflicts with the current state",
                    "The student is already on this class's waitlist."),
            new ProblemType("waitlist-full", HttpStatus.CONFLICT, "Conflicts with the current state",
                    "The class and its waitlist are full."),
            new ProblemType("waitlist-limit", HttpStatus.CONFLICT, "Conflicts with the current state",
                    "The student is already on the maximum number of waitlists (checked only when waitlisting)."),
            new ProblemType("capacity-below-enrolled", HttpStatus.CONFLICT, "Conflicts with the current state",
                    "The new capacity is below the number of students enrolled."),
            new ProblemType("waitlist-capacity-below-waitlisted", HttpStatus.CONFLICT,
                    "Conflicts with the current state",
                    "The new waitlist capacity is below the number of students waitlisted."),
            new ProblemType("webhook-disabled", HttpStatus.CONFLICT, "Conflicts with the current state",
                    "The webhook is DISABLED (its receiver answered 410 Gone); PUT the subscription with its "
                            + "webhookUrl again to enable it."),
            // 410
            new ProblemType("confirmation-superseded", HttpStatus.GONE, "Confirmation no longer applies",
                    "The subscription the link confirms was removed or now has another email address."),
            // 412, 413, 415
            new ProblemType("precondition-failed", HttpStatus.PRECONDITION_FAILED, "Precondition failed",
                    "`If-Match` does not match the current representation; fetch it again."),
            new ProblemType("payload-too-large", HttpStatus.CONTENT_TOO_LARGE, "Request body too large",
                    "Request bodies are limited to 64 KB."),
            new ProblemType("unsupported-media-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE.getReasonPhrase(),
                    "A request body that is not `application/json`."),
            // 429
            new ProblemType("rate-limited", HttpStatus.TOO_MANY_REQUESTS, "Too many requests",
                    "The caller's write rate limit is reached; retry after `Retry-After` seconds (also `retryAfter`)."),
            new ProblemType("replay-limit", HttpStatus.TOO_MANY_REQUESTS, "Too many replays",
                    "The subscription has used its replays for this hour (`seatwatch.webhooks.replays-per-hour`, "
                            + "default 20); retry after `Retry-After` seconds (also `retryAfter`)."),
            // 500, 503
            new ProblemType("internal-error", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error",
                    "The server could not complete the request."),
            new ProblemType("unavailable", HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable",
                    "Redis did not answer in time or is unreachable; retry after `Retry-After` seconds. A write that "
                            + "timed out may have been applied: read the resource before retrying it."));

    private static final Map<String, ProblemType> BY_CODE =
            ALL.stream().collect(Collectors.toUnmodifiableMap(ProblemType::code, Function.identity()));

    private ProblemTypes() {}

    public static ProblemType of(String code) {
        ProblemType type = BY_CODE.get(code);
        if (type == null) {
            throw new IllegalArgumentException("unknown problem type " + code);
        }
        return type;
    }
}
