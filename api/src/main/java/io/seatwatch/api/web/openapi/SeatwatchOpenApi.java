package io.seatwatch.api.web.openapi;

import io.seatwatch.api.web.Ids;
import io.seatwatch.api.web.PageRequest;
import io.seatwatch.api.web.openapi.ApiOperations.ApiOperation;
import io.seatwatch.api.web.openapi.ApiOperations.Success;
import io.seatwatch.api.web.openapi.ApiOperations.Trait;
import io.seatwatch.api.web.openapi.ProblemTypes.ProblemType;
import io.seatwatch.webhooks.DeliveryKeys;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springdoc.core.customizers.GlobalOpenApiCustomizer;

/**
 * Completes the document springdoc derives from the controllers: info, a relative server, the bearer JWT
 * scheme (global; none on the email confirmation link), the RFC 9457 {@code Problem} schema and every
 * problem type ({@code x-problem-types} and a table in the description), and per operation (see
 * {@link ApiOperations}) its id, tag, summary, success statuses with their headers, conditional-request
 * headers, typed paging and id parameters, and its error responses.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
class SeatwatchOpenApi implements GlobalOpenApiCustomizer {

    static final String BEARER_AUTH = "bearerAuth";
    static final String PROBLEM = "Problem";
    static final String PROBLEM_FIELD_ERROR = "ProblemFieldError";
    static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;
    static final String PROBLEM_TYPES_EXTENSION = "x-problem-types";

    private static final Logger log = LoggerFactory.getLogger(SeatwatchOpenApi.class);

    private static final String SCHEMAS = "#/components/schemas/";
    private static final String HEADERS = "#/components/headers/";
    private static final String PARAMETERS = "#/components/parameters/";

    /** Path parameters and what they are. */
    private static final Map<String, String> PATH_PARAMETERS = Map.of(
            "classId", "The class's id.",
            "studentId", "The student's id (a token's `sub`).",
            "eventId", "The event's id (`webhook-id` of its deliveries): a lowercase UUID.",
            "token", "The one-time token of the mailed confirmation link.");

    /** Values that stand for the path variables in examples. */
    private static final Map<String, String> EXAMPLE_VALUES = Map.of(
            "classId", "k3x9q2m7p1ab",
            "studentId", "s-1042",
            "eventId", "6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b",
            "token", "Zq3xVx0o8Jp2mN7cQ1wE5rT9yU4iO6pA8sD0fG2hJ4k");

    private static final Pattern PATH_VARIABLE = Pattern.compile("\\{([^}]+)}");

    private final String version;

    SeatwatchOpenApi(String version) {
        this.version = version;
    }

    @Override
    public void customise(OpenAPI openApi) {
        openApi.info(new Info().title("Seatwatch API").version(version).description(description()));
        openApi.servers(List.of(new Server().url("/").description("This server")));

        Components components = openApi.getComponents() == null ? new Components() : openApi.getComponents();
        openApi.components(components);
        components.addSecuritySchemes(BEARER_AUTH, new SecurityScheme().type(SecurityScheme.Type.HTTP)
                .scheme("bearer").bearerFormat("JWT")
                .description("A JWT: `sub` is the user id, `roles` an array of `student`, `instructor`, "
                        + "`registrar`, `email` optional. Locally: `./seatwatch token ROLE ID [EMAIL]`."));
        components.addSchemas(PROBLEM_FIELD_ERROR, fieldErrorSchema());
        components.addSchemas(PROBLEM, problemSchema());
        headers().forEach(components::addHeaders);
        parameters().forEach(components::addParameters);
        // Springdoc would offer the Caller argument as a query object; it comes from the token instead.
        if (components.getSchemas() != null) {
            components.getSchemas().remove("Caller");
            components.getSchemas().remove("ServerSentEventObject");
        }

        openApi.security(List.of(new SecurityRequirement().addList(BEARER_AUTH)));
        openApi.addExtension(PROBLEM_TYPES_EXTENSION, problemTypesExtension());
        openApi.tags(ApiOperations.TAGS.entrySet().stream()
                .map(e -> new Tag().name(e.getKey()).description(e.getValue())).toList());

        if (openApi.getPaths() != null) {
            openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
                ApiOperation spec = ApiOperations.find(method.name(), path);
                if (spec == null) {
                    log.warn("OpenAPI: {} {} is not described in ApiOperations", method, path);
                    return;
                }
                customise(operation, spec);
            }));
            openApi.paths(inTableOrder(openApi.getPaths()));
        }
    }

    /** The paths in the order of {@link ApiOperations#ALL} (so the UI lists them as the README does), then any other. */
    private static Paths inTableOrder(Paths paths) {
        Paths ordered = new Paths();
        ApiOperations.ALL.stream().map(ApiOperation::path).distinct().filter(paths::containsKey)
                .forEach(path -> ordered.addPathItem(path, paths.get(path)));
        paths.forEach((path, item) -> {
            if (!ordered.containsKey(path)) {
                ordered.addPathItem(path, item);
            }
        });
        ordered.setExtensions(paths.getExtensions());
        return ordered;
    }

    // ---------------------------------------------------------------- operations

    private static void customise(Operation operation, ApiOperation spec) {
        String example = spec.path();
        for (Map.Entry<String, String> value : EXAMPLE_VALUES.entrySet()) {
            example = example.replace("{" + value.getKey() + "}", value.getValue());
        }
        operation.operationId(spec.operationId()).tags(List.of(spec.tag())).summary(spec.summary());
        StringBuilder description = new StringBuilder("**Who may call:** ").append(spec.who()).append('.');
        if (spec.description() != null) {
            description.append("\n\n").append(spec.description());
        }
        operation.description(description.toString());
        operation.parameters(parameters(operation, spec));
        operation.responses(responses(operation, spec, example));
        if (spec.has(Trait.PUBLIC)) {
            // An empty list overrides the global requirement: this operation takes no bearer token.
            operation.security(List.of());
        }
    }

    private static List<Parameter> parameters(Operation operation, ApiOperation spec) {
        List<Parameter> generated = operation.getParameters() == null ? List.of() : operation.getParameters();
        List<Parameter> result = new ArrayList<>();
        // Every variable of the path template is a path parameter, also where the method does not read it.
        Matcher variable = PATH_VARIABLE.matcher(spec.path());
        while (variable.find()) {
            result.add(pathParameter(variable.group(1)));
        }
        for (Parameter p : generated) {
            String in = p.getIn();
            String name = p.getName();
            if ("path".equals(in) || "caller".equals(name)) {
                continue; // described above; the Caller comes from the token
            }
            if ("query".equals(in) && "available".equals(name)) {
                result.add(new Parameter().in("query").name("available").required(false)
                        .description("`true`: only classes that are not frozen and have a seat or a waitlist place left.")
                        .schema(schema("boolean")));
            } else if (!(spec.has(Trait.PAGED) && "query".equals(in) && ("limit".equals(name) || "cursor".equals(name)))
                    && !(spec.has(Trait.IF_MATCH) && "header".equals(in) && "If-Match".equalsIgnoreCase(name))) {
                result.add(p); // anything not replaced below stays as springdoc derived it
            }
        }
        if (spec.has(Trait.PAGED)) {
            result.add(ref("limit"));
            result.add(ref("cursor"));
        }
        if (spec.has(Trait.CONDITIONAL_GET)) {
            result.add(ref("If-None-Match"));
            result.add(ref("If-Modified-Since"));
        }
        if (spec.has(Trait.IF_MATCH)) {
            result.add(ref("If-Match"));
        }
        return result;
    }

    private static Parameter pathParameter(String name) {
        Schema schema = schema("string");
        if (name.equals("classId") || name.equals("studentId")) {
            schema.pattern("^" + Ids.REGEX + "$");
        } else if (name.equals("eventId")) {
            schema.pattern("^" + DeliveryKeys.EVENT_ID.pattern() + "$");
        }
        return new Parameter().in("path").name(name).required(true)
                .description(PATH_PARAMETERS.get(name)).schema(schema);
    }

    private static Parameter ref(String name) {
        return new Parameter().$ref(PARAMETERS + name);
    }

    private static ApiResponses responses(Operation operation, ApiOperation spec, String examplePath) {
        Content body = successContent(operation);
        ApiResponses responses = new ApiResponses();
        for (Success success : spec.successes()) {
            ApiResponse response = new ApiResponse().description(success.description());
            List<String> headers = new ArrayList<>(success.headers());
            if (spec.has(Trait.CONDITIONAL_GET) && success.status() == 200) {
                headers.addAll(List.of("ETag", "Last-Modified", "Cache-Control", "Vary"));
            }
            headers.stream().distinct().forEach(h -> response.addHeaderObject(h, new Header().$ref(HEADERS + h)));
            if (success.body() && body != null) {
                response.content(body);
            }
            responses.addApiResponse(Integer.toString(success.status()), response);
        }
        if (spec.has(Trait.CONDITIONAL_GET)) {
            ApiResponse notModified = new ApiResponse()
                    .description("Not modified: `If-None-Match` (or `If-Modified-Since`) holds. No body.");
            List.of("ETag", "Cache-Control", "Vary").forEach(h -> notModified.addHeaderObject(h, new Header().$ref(HEADERS + h)));
            responses.addApiResponse("304", notModified);
        }
        problems(operation, spec).forEach((status, types) ->
                responses.addApiResponse(Integer.toString(status), problemResponse(types, examplePath)));
        return responses;
    }

    /** The body springdoc derived from the method's return type, with the event stream described. */
    private static Content successContent(Operation operation) {
        ApiResponse generated = operation.getResponses() == null ? null : operation.getResponses().get("200");
        Content content = generated == null ? null : generated.getContent();
        if (content == null || content.isEmpty()) {
            return null;
        }
        MediaType stream = content.get(org.springframework.http.MediaType.TEXT_EVENT_STREAM_VALUE);
        if (stream != null) {
            stream.schema(schema("string").description("Server-sent events: `event: position` with the position "
                    + "as `data` and the version as `id`; finally `event: promoted`, `left` or `removed`."));
        }
        return content;
    }

    /** The operation's problem types by status, in status order: its own plus those its shape implies. */
    private static Map<Integer, List<ProblemType>> problems(Operation operation, ApiOperation spec) {
        List<String> codes = new ArrayList<>();
        if (!spec.has(Trait.PUBLIC)) {
            codes.add("unauthorized");
        }
        boolean takesBody = operation.getRequestBody() != null;
        if (takesBody) {
            codes.addAll(List.of("validation-failed", "malformed-json", "bad-request"));
        }
        codes.addAll(spec.problems());
        if (spec.has(Trait.IF_MATCH)) {
            codes.add("precondition-failed");
        }
        if (takesBody) {
            codes.addAll(List.of("payload-too-large", "unsupported-media-type"));
        }
        if (spec.has(Trait.RATE_LIMITED)) {
            codes.add("rate-limited");
        }
        return codes.stream().distinct().map(ProblemTypes::of).collect(Collectors.groupingBy(
                t -> t.status().value(), TreeMap::new, Collectors.toList()));
    }

    private static ApiResponse problemResponse(List<ProblemType> types, String examplePath) {
        String description = types.stream().map(t -> "`" + t.code() + "`: " + t.when())
                .collect(Collectors.joining("\n\n"));
        Map<String, Example> examples = new LinkedHashMap<>();
        for (ProblemType t : types) {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("type", t.type());
            value.put("title", t.title());
            value.put("status", t.status().value());
            value.put("detail", t.when().replace("`", ""));
            value.put("instance", examplePath);
            examples.put(t.code(), new Example().summary(t.code()).value(value));
        }
        ApiResponse response = new ApiResponse().description(description).content(new Content().addMediaType(PROBLEM_JSON,
                new MediaType().schema(new Schema<>().$ref(SCHEMAS + PROBLEM)).examples(examples)));
        switch (types.get(0).status()) {
            case UNAUTHORIZED -> response.addHeaderObject("WWW-Authenticate", new Header().$ref(HEADERS + "WWW-Authenticate"));
            case TOO_MANY_REQUESTS -> response.addHeaderObject("Retry-After", new Header().$ref(HEADERS + "Retry-After"));
            case METHOD_NOT_ALLOWED -> response.addHeaderObject("Allow", new Header().$ref(HEADERS + "Allow"));
            default -> { }
        }
        return response;
    }

    // ---------------------------------------------------------------- components

    private static Schema problemSchema() {
        Schema schema = schema("object")
                .description("An RFC 9457 problem, sent as `application/problem+json`. `type` is `/problems/<code>`; "
                        + "the codes are listed in `x-problem-types` and in the API description.")
                .required(List.of("type", "title", "status", "detail", "instance"));
        schema.addProperty("type", schema("string").format("uri-reference")
                .pattern("^/problems/[a-z]+(-[a-z]+)*$")
                .description("`/problems/<code>`: what went wrong, for programs.")
                .examples(List.of("/problems/class-not-found")));
        schema.addProperty("title", schema("string").description("A short summary of the type, the same for every "
                + "problem of that type."));
        schema.addProperty("status", schema("integer").format("int32").description("The HTTP status code.")
                .minimum(java.math.BigDecimal.valueOf(400)).maximum(java.math.BigDecimal.valueOf(599)));
        schema.addProperty("detail", schema("string").description("What went wrong this time, for people."));
        schema.addProperty("instance", schema("string").format("uri-reference").description("The request path."));
        schema.addProperty("errors", schema("array").items(new Schema<>().$ref(SCHEMAS + PROBLEM_FIELD_ERROR))
                .description("`validation-failed` only: every invalid field or parameter."));
        schema.addProperty("retryAfter", schema("integer").format("int64")
                .description("`rate-limited` and `replay-limit` only: seconds to wait, as in `Retry-After`."));
        schema.addProperty("existingClassId", schema("string")
                .description("`class-exists` only: the id of the class that has this department, course code and section."));
        return schema;
    }

    private static Schema fieldErrorSchema() {
        Schema schema = schema("object")
                .description("One invalid input: a JSON `pointer` into the request body, or the name of a path or "
                        + "query `parameter`.")
                .required(List.of("detail"));
        schema.addProperty("pointer", schema("string").description("RFC 6901 JSON pointer into the body "
                + "(`\"\"` for the body as a whole).").examples(List.of("/capacity")));
        schema.addProperty("parameter", schema("string").description("A path or query parameter.")
                .examples(List.of("limit")));
        schema.addProperty("detail", schema("string").description("What is wrong with it."));
        schema.oneOf(List.of(schema("object").required(List.of("pointer")),
                schema("object").required(List.of("parameter"))));
        return schema;
    }

    private static Map<String, Header> headers() {
        Map<String, Header> headers = new LinkedHashMap<>();
        headers.put("ETag", header("The strong entity tag of the representation: send it back in `If-None-Match` "
                + "or `If-Match`."));
        headers.put("Last-Modified", header("The first whole second after the resource last changed (IMF-fixdate); "
                + "sent once `Date` has reached it. `If-Modified-Since` answers 304 only for a change made before "
                + "that second began, so no date from the same second as a change hides it."));
        headers.put("Cache-Control", header("`private, no-cache` on conditional GETs; `no-store` on answers that "
                + "may carry a secret or consume a one-time token."));
        headers.put("Vary", header("`Authorization` (and `Accept` on the waitlist position)."));
        headers.put("Location", header("The URL path of the created enrollment or waitlist entry, or of the new class."));
        headers.put("Retry-After", new Header().description("Seconds to wait before retrying.")
                .schema(schema("integer").format("int64")));
        headers.put("WWW-Authenticate", header("`Bearer`, or `Bearer error=\"invalid_token\"` when a token was sent."));
        headers.put("Allow", header("The methods the route supports."));
        return headers;
    }

    private static Header header(String description) {
        return new Header().description(description).schema(schema("string"));
    }

    private static Map<String, Parameter> parameters() {
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        parameters.put("limit", new Parameter().in("query").name("limit").required(false)
                .description("Items per page.")
                .schema(schema("integer").format("int32").minimum(java.math.BigDecimal.ONE)
                        .maximum(java.math.BigDecimal.valueOf(PageRequest.MAX_LIMIT))
                        ._default(PageRequest.DEFAULT_LIMIT)));
        parameters.put("cursor", new Parameter().in("query").name("cursor").required(false)
                .description("The `nextCursor` of the previous page; opaque, and only valid for the collection that "
                        + "issued it.")
                .schema(schema("string")));
        parameters.put("If-None-Match", new Parameter().in("header").name("If-None-Match").required(false)
                .description("Entity tags (weak comparison) or `*`: 304 when one matches the current ETag. Takes "
                        + "precedence over `If-Modified-Since`; an unparsable value is ignored.")
                .schema(schema("string")));
        parameters.put("If-Modified-Since", new Parameter().in("header").name("If-Modified-Since").required(false)
                .description("An HTTP-date: 304 when nothing changed since (ignored with `If-None-Match`, or when "
                        + "invalid or in the future).")
                .schema(schema("string")));
        parameters.put("If-Match", new Parameter().in("header").name("If-Match").required(false)
                .description("Strong entity tags or `*`: the change happens only if one matches the current ETag, "
                        + "otherwise 412 `precondition-failed`.")
                .schema(schema("string")));
        return parameters;
    }

    private static Map<String, Object> problemTypesExtension() {
        Map<String, Object> types = new LinkedHashMap<>();
        for (ProblemType t : ProblemTypes.ALL) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("type", t.type());
            entry.put("status", t.status().value());
            entry.put("title", t.title());
            entry.put("description", t.when());
            types.put(t.code(), entry);
        }
        return types;
    }

    private static String description() {
        StringBuilder md = new StringBuilder();
        md.append("""
                Course enrollment with waitlists, and notifications (email, signed webhooks) the moment a student \
                is promoted from a waitlist into a class.

                ## Authentication

                Every operation needs `Authorization: Bearer <JWT>`, except the email confirmation link, whose \
                one-time token is the credential. Claims: `sub` (the user id), `roles` (`student`, `instructor`, \
                `registrar`), `email` (optional). Locally `./seatwatch token ROLE ID [EMAIL]` prints one; \
                **Authorize** sends it from this page.

                ## Conventions

                JSON in and out; times are UTC ISO-8601 with `Z`; optional fields are omitted, not null. Ids \
                (class, student, instructor) match `[A-Za-z0-9_-]{1,64}`. Unknown JSON properties and mistyped \
                values are 400; request bodies over 64 KB are 413. Collections answer \
                `{"items": [...], "nextCursor": "..."}` (`limit` 1..100, default 50; no `nextCursor` on the \
                last page). Writes are rate-limited per user (token bucket): 429 `rate-limited` with \
                `Retry-After`.

                Resources with a validator answer a strong `ETag` (and `Last-Modified`); their GETs honour \
                `If-None-Match`, then `If-Modified-Since`, with 304. Writes that take `If-Match` answer 412 when \
                it does not match.

                ## Errors

                Every error is `application/problem+json` (RFC 9457, schema `Problem`) with `type: \
                /problems/<code>`. Checks run in this order: 401, 400, 403 (what the path decides), 404, 403 \
                (instructor of the class), 412, 409, 429, so a student never learns whether another student is \
                enrolled. The problem types (also in the `x-problem-types` extension of this document):

                | type | status | title | when |
                |---|---|---|---|
                """);
        for (ProblemType t : ProblemTypes.ALL) {
            md.append("| `").append(t.type()).append("` | ").append(t.status().value()).append(" | ")
                    .append(t.title()).append(" | ").append(t.when()).append(" |\n");
        }
        return md.toString();
    }

    /** A schema of one JSON type, stated the way both OpenAPI 3.0 ({@code type}) and 3.1 ({@code types}) read it. */
    @SuppressWarnings("rawtypes")
    private static Schema schema(String type) {
        return new Schema<Object>().type(type).types(new LinkedHashSet<>(Set.of(type)));
    }
}
