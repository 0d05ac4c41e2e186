package io.seatwatch.api.web.openapi;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.http.HttpMethod;

/**
 * What the OpenAPI document says about each operation beyond what springdoc reads from the controllers: its
 * id, tag, summary, who may call it, its success statuses and headers, and the problem types it answers
 * (README "Endpoints" and docs/architecture.md, section "Public HTTP contract"). Kept in one table rather
 * than in annotations on every controller method; OpenApiDocumentTest fails when an endpoint is missing here.
 */
public final class ApiOperations {

    /** Tags, in the order the UI shows them, with their descriptions. */
    public static final Map<String, String> TAGS = orderedMap(
            "Classes", "The catalog: class sections with capacity, waitlist capacity and counts.",
            "Enrollments", "Joining a class (enrolled, or waitlisted when full), enrollments and drops.",
            "Waitlist", "Waitlists in joining order, a student's position (also live, as server-sent events) and leaving.",
            "Subscriptions", "A student's promotion notifications per class: email and signed webhooks.",
            "Webhook deliveries", "A subscription's webhook delivery log and replays.",
            "Email confirmation", "The link mailed to a new, unconfirmed notification address. Needs no bearer token.",
            "Service", "Liveness of the API itself.");

    /** Cross-cutting traits that add parameters, headers and responses. */
    public enum Trait {
        /** No bearer token: the operation overrides the global security with none. */
        PUBLIC,
        /** A GET with a validator: If-None-Match / If-Modified-Since, 304, ETag and Last-Modified. */
        CONDITIONAL_GET,
        /** A write that honours If-Match: 412 precondition-failed. */
        IF_MATCH,
        /** A collection: limit and cursor. */
        PAGED,
        /** A write that takes a token from the caller's rate-limit bucket: 429 rate-limited. */
        RATE_LIMITED
    }

    /** A success response: its status, what it means, the response headers it carries, whether it has a body. */
    public record Success(int status, String description, List<String> headers, boolean body) {
        static Success of(int status, String description, String... headers) {
            return new Success(status, description, List.of(headers), status != 204);
        }
    }

    /**
     * One operation. {@code problems} are the codes particular to it; the cross-cutting ones are added by
     * trait and shape (401 unless PUBLIC, 412 with IF_MATCH, 429 with RATE_LIMITED, the body problems when it
     * takes a body).
     */
    public record ApiOperation(HttpMethod method, String path, String operationId, String tag, String summary,
                               String who, String description, List<Success> successes, List<String> problems,
                               Set<Trait> traits) {
        public String key() {
            return method.name() + " " + path;
        }

        public boolean has(Trait trait) {
            return traits.contains(trait);
        }
    }

    private static final String CLASSES = "/api/v1/classes";
    private static final String CLASS = CLASSES + "/{classId}";
    private static final String SUBSCRIPTION = "/api/v1/students/{studentId}/subscriptions/{classId}";
    private static final String CONFIRMATION = "/api/v1/email-confirmations/{token}";

    private static final String CLASS_ETAG = "ETag";
    private static final String VALIDATION = "validation-failed";

    public static final List<ApiOperation> ALL = List.of(
            op(HttpMethod.GET, "/api/v1/ping", "ping", "Service", "Check the API answers",
                    "anyone authenticated",
                    "Answers `{\"ok\": true}` without touching Redis: the baseline of the HTTP benchmarks.",
                    List.of(Success.of(200, "The API is up.")), List.of()),

            // ---- classes
            op(HttpMethod.POST, CLASSES, "createClass", "Classes", "Create a class",
                    "registrar",
                    "Department, course code and section are unique ignoring case and surrounding spaces; the id "
                            + "is generated (12 lowercase letters and digits). `waitlistCapacity` defaults to 15.",
                    List.of(Success.of(201, "Created: the class.", "Location", CLASS_ETAG)),
                    List.of(VALIDATION, "forbidden", "class-exists"), Trait.RATE_LIMITED),
            op(HttpMethod.GET, CLASSES, "listClasses", "Classes", "List classes",
                    "anyone authenticated",
                    "Ordered by department, course code and section. `available=true` keeps classes that are not "
                            + "frozen and have a seat or a waitlist place left. The ETag is the catalog's version.",
                    List.of(Success.of(200, "A page of classes.")),
                    List.of(VALIDATION), Trait.PAGED, Trait.CONDITIONAL_GET),
            op(HttpMethod.GET, CLASS, "getClass", "Classes", "Get a class",
                    "anyone authenticated", null,
                    List.of(Success.of(200, "The class.")),
                    List.of(VALIDATION, "class-not-found"), Trait.CONDITIONAL_GET),
            op(HttpMethod.PATCH, CLASS, "updateClass", "Classes", "Change a class",
                    "registrar",
                    "Names at least one of `instructorId`, `capacity`, `waitlistCapacity`, `autoEnrollmentFrozen`. "
                            + "Unfreezing or raising the capacity promotes waitlisted students into the open seats. "
                            + "A PATCH that changes nothing changes no version.",
                    List.of(Success.of(200, "The changed class.", CLASS_ETAG)),
                    List.of(VALIDATION, "forbidden", "class-not-found", "capacity-below-enrolled",
                            "waitlist-capacity-below-waitlisted"),
                    Trait.IF_MATCH, Trait.RATE_LIMITED),
            op(HttpMethod.DELETE, CLASS, "deleteClass", "Classes", "Delete a class",
                    "registrar",
                    "Removes the class with its enrollments, waitlist (freeing each student's waitlist slot), drops "
                            + "and subscriptions. Promotes nobody.",
                    List.of(Success.of(204, "Deleted.")),
                    List.of(VALIDATION, "forbidden", "class-not-found"), Trait.IF_MATCH, Trait.RATE_LIMITED),

            // ---- enrollments
            op(HttpMethod.POST, CLASS + "/enrollments", "enroll", "Enrollments", "Join a class",
                    "the student named in the body, or a registrar",
                    "Enrolls the student, or puts them on the waitlist when the class is full. When several rules "
                            + "refuse a join, the first of `class-frozen`, `already-enrolled`, `already-waitlisted`, "
                            + "`waitlist-full`, `waitlist-limit` is answered.",
                    List.of(Success.of(201, "Enrolled: `status` ENROLLED with `enrolledAt`.", "Location", CLASS_ETAG),
                            Success.of(202, "Waitlisted: `status` WAITLISTED with `position` (1 = next).", "Location",
                                    CLASS_ETAG)),
                    List.of(VALIDATION, "forbidden", "class-not-found", "class-frozen", "already-enrolled",
                            "already-waitlisted", "waitlist-full", "waitlist-limit"),
                    Trait.RATE_LIMITED),
            op(HttpMethod.GET, CLASS + "/enrollments/{studentId}", "getEnrollment", "Enrollments", "Get an enrollment",
                    "the student, the class's instructor, a registrar", null,
                    List.of(Success.of(200, "The enrollment.")),
                    List.of(VALIDATION, "forbidden", "class-not-found", "enrollment-not-found"), Trait.CONDITIONAL_GET),
            op(HttpMethod.DELETE, CLASS + "/enrollments/{studentId}", "dropEnrollment", "Enrollments",
                    "Drop an enrollment",
                    "the student, the class's instructor, a registrar",
                    "Promotes the head of the waitlist unless the class is frozen. The drop's reason is the narrowest "
                            + "capacity the caller acted in (the student, then the instructor, then registrar).",
                    List.of(Success.of(204, "Dropped.")),
                    List.of(VALIDATION, "forbidden", "class-not-found", "enrollment-not-found"),
                    Trait.IF_MATCH, Trait.RATE_LIMITED),
            op(HttpMethod.GET, CLASS + "/enrollments", "listEnrollments", "Enrollments", "List enrolled students",
                    "the class's instructor, a registrar",
                    "In enrollment order.",
                    List.of(Success.of(200, "A page of `{studentId, enrolledAt}`.")),
                    List.of(VALIDATION, "forbidden", "class-not-found"), Trait.PAGED),
            op(HttpMethod.GET, CLASS + "/drops", "listDrops", "Enrollments", "List drops",
                    "the class's instructor, a registrar",
                    "In drop order; `reason` is STUDENT, INSTRUCTOR or REGISTRAR.",
                    List.of(Success.of(200, "A page of `{studentId, droppedAt, droppedBy, reason}`.")),
                    List.of(VALIDATION, "forbidden", "class-not-found"), Trait.PAGED),

            // ---- waitlist
            op(HttpMethod.GET, CLASS + "/waitlist", "listWaitlist", "Waitlist", "List the waitlist",
                    "the class's instructor, a registrar",
                    "In joining order.",
                    List.of(Success.of(200, "A page of `{studentId, position, joinedAt}`.")),
                    List.of(VALIDATION, "forbidden", "class-not-found"), Trait.PAGED),
            op(HttpMethod.GET, CLASS + "/waitlist/{studentId}", "getWaitlistPosition", "Waitlist",
                    "Get a waitlist position (JSON or live)",
                    "the student, the class's instructor, a registrar",
                    "`Accept: application/json` answers the position (conditional GET). `Accept: text/event-stream` "
                            + "streams it: `event: position` (`id` = version, data = the position) at once and on "
                            + "every change, then `event: promoted`, `left` or `removed` and the end of the stream; a "
                            + "heartbeat comment every 15 s; the stream closes when the token expires. Both answer "
                            + "`Vary: Accept, Authorization`.",
                    List.of(Success.of(200, "The position, or its stream.")),
                    List.of(VALIDATION, "forbidden", "class-not-found", "waitlist-entry-not-found"),
                    Trait.CONDITIONAL_GET),
            op(HttpMethod.DELETE, CLASS + "/waitlist/{studentId}", "leaveWaitlist", "Waitlist", "Leave the waitlist",
                    "the student, the class's instructor, a registrar",
                    "Everyone behind moves up one place.",
                    List.of(Success.of(204, "Left.")),
                    List.of(VALIDATION, "forbidden", "class-not-found", "waitlist-entry-not-found"),
                    Trait.IF_MATCH, Trait.RATE_LIMITED),

            // ---- subscriptions
            op(HttpMethod.PUT, SUBSCRIPTION, "putSubscription", "Subscriptions", "Subscribe to a class's promotions",
                    "the student",
                    "`{email?, webhookUrl?}`, at least one. An email equal to the token's `email` claim is ACTIVE at "
                            + "once, any other is PENDING until confirmed through a mailed link. A webhook URL is "
                            + "absolute https, without user-info, at most 2048 characters, and its host must not "
                            + "resolve to a private, loopback, link-local or metadata address. A new webhook's signing "
                            + "secret (`webhookSecret`) is returned once; changing the URL keeps it. "
                            + "Answered with `Cache-Control: no-store`.",
                    List.of(Success.of(200, "Replaced: the subscription.", "Cache-Control"),
                            Success.of(201, "Created: the subscription.", "Cache-Control")),
                    List.of(VALIDATION, "forbidden", "class-not-found"), Trait.RATE_LIMITED),
            op(HttpMethod.GET, "/api/v1/students/{studentId}/subscriptions", "listSubscriptions", "Subscriptions",
                    "List a student's subscriptions",
                    "the student, a registrar",
                    "Never includes signing secrets.",
                    List.of(Success.of(200, "A page of subscriptions.")),
                    List.of(VALIDATION, "forbidden"), Trait.PAGED),
            op(HttpMethod.DELETE, SUBSCRIPTION, "deleteSubscription", "Subscriptions", "Unsubscribe",
                    "the student", null,
                    List.of(Success.of(204, "Deleted.")),
                    List.of(VALIDATION, "forbidden", "subscription-not-found"), Trait.RATE_LIMITED),
            op(HttpMethod.POST, SUBSCRIPTION + "/webhook-secret", "rotateWebhookSecret", "Subscriptions",
                    "Rotate the webhook signing secret",
                    "the student",
                    "Returns the new secret once; for 24 h deliveries carry signatures with both the old and the new "
                            + "secret. Answered with `Cache-Control: no-store`.",
                    List.of(Success.of(200, "The new secret and until when the old one still signs.", "Cache-Control")),
                    List.of(VALIDATION, "forbidden", "subscription-not-found", "webhook-not-found"), Trait.RATE_LIMITED),

            // ---- webhook deliveries
            op(HttpMethod.GET, SUBSCRIPTION + "/deliveries", "listDeliveries", "Webhook deliveries",
                    "List webhook deliveries",
                    "the student",
                    "Newest first, each with every attempt: time, HTTP status or error, latency, next attempt.",
                    List.of(Success.of(200, "A page of deliveries.")),
                    List.of(VALIDATION, "forbidden", "subscription-not-found"), Trait.PAGED),
            op(HttpMethod.POST, SUBSCRIPTION + "/deliveries/{eventId}/replay", "replayDelivery", "Webhook deliveries",
                    "Replay a webhook delivery",
                    "the student",
                    "Queues one more attempt with the same `webhook-id`.",
                    List.of(Success.of(202, "Queued.")),
                    List.of(VALIDATION, "forbidden", "subscription-not-found", "webhook-not-found", "delivery-not-found",
                            "webhook-disabled", "replay-limit"),
                    Trait.RATE_LIMITED),

            // ---- email confirmation (no bearer token)
            op(HttpMethod.GET, CONFIRMATION, "confirmEmailByLink", "Email confirmation", "Confirm an email address (link)",
                    "whoever holds the mailed link: the one-time token is the credential",
                    "Consumes the token and makes the PENDING address ACTIVE. Answered with `Cache-Control: no-store` "
                            + "and `Referrer-Policy: no-referrer`.",
                    List.of(Success.of(200, "Confirmed: the address is ACTIVE.", "Cache-Control")),
                    List.of("confirmation-not-found", "confirmation-superseded"), Trait.PUBLIC, Trait.RATE_LIMITED),
            op(HttpMethod.POST, CONFIRMATION, "confirmEmail", "Email confirmation", "Confirm an email address",
                    "whoever holds the mailed link: the one-time token is the credential",
                    "The same as the GET, for clients that confirm programmatically.",
                    List.of(Success.of(200, "Confirmed: the address is ACTIVE.", "Cache-Control")),
                    List.of("confirmation-not-found", "confirmation-superseded"), Trait.PUBLIC, Trait.RATE_LIMITED),
            op(HttpMethod.HEAD, CONFIRMATION, "headEmailConfirmation", "Email confirmation",
                    "Refused, so that link checkers cannot use up a token",
                    "anyone",
                    "Always 405: only GET and POST consume the token.",
                    List.of(), List.of("method-not-allowed"), Trait.PUBLIC));

    private static final Map<String, ApiOperation> BY_KEY =
            ALL.stream().collect(Collectors.toUnmodifiableMap(ApiOperation::key, Function.identity()));

    private ApiOperations() {}

    /** The operation with this method and path pattern, or null. */
    public static ApiOperation find(String method, String path) {
        return BY_KEY.get(method.toUpperCase(java.util.Locale.ROOT) + " " + path);
    }

    private static ApiOperation op(HttpMethod method, String path, String operationId, String tag, String summary,
                                   String who, String description, List<Success> successes, List<String> problems,
                                   Trait... traits) {
        Set<Trait> set = traits.length == 0 ? EnumSet.noneOf(Trait.class) : EnumSet.of(traits[0], traits);
        problems.forEach(ProblemTypes::of); // fails at class initialisation on a code ProblemTypes lacks
        if (!TAGS.containsKey(tag)) {
            throw new IllegalArgumentException("unknown tag " + tag);
        }
        return new ApiOperation(method, path, operationId, tag, summary, who, description, successes, problems,
                Set.copyOf(set));
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }
}
