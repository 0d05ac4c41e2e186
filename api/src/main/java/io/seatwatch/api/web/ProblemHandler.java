package io.seatwatch.api.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.PayloadTooLargeException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes every error, from a controller or a filter, as {@code application/problem+json} (RFC 9457).
 * Runs before Spring Boot's handler so that nothing is answered in another shape.
 */
@Component
@Order(-2)
public class ProblemHandler implements WebExceptionHandler {

    public static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;
    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    private final JsonMapper json;

    public ProblemHandler(JsonMapper json) {
        this.json = json;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(ex);
        }
        Problem problem = toProblem(ex);
        return write(exchange, problem);
    }

    public Mono<Void> write(ServerWebExchange exchange, Problem problem) {
        var response = exchange.getResponse();
        response.setStatusCode(problem.status());
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(PROBLEM_JSON);
        headers.remove(HttpHeaders.ETAG);
        headers.remove(HttpHeaders.LAST_MODIFIED);
        problem.headers().forEach(headers::set);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "/problems/" + problem.code());
        body.put("title", problem.title());
        body.put("status", problem.status().value());
        body.put("detail", problem.detail());
        body.put("instance", exchange.getRequest().getPath().value());
        body.putAll(problem.extensions());
        byte[] bytes = json.writeValueAsBytes(body);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
    }

    Problem toProblem(Throwable ex) {
        if (ex instanceof Problem p) {
            return p;
        }
        if (ex instanceof WebExchangeBindException bind) {
            List<Problem.FieldError> errors = new ArrayList<>();
            bind.getFieldErrors().forEach(fe -> errors.add(Problem.FieldError.pointer(
                    "/" + fe.getField().replace('.', '/'), fe.getDefaultMessage())));
            bind.getGlobalErrors().forEach(ge -> errors.add(Problem.FieldError.pointer("", ge.getDefaultMessage())));
            String detail = errors.stream().map(e -> (e.pointer().isEmpty() ? "body" : e.pointer()) + ": " + e.detail())
                    .collect(Collectors.joining("; "));
            return Problem.badRequest(detail, errors);
        }
        if (hasCause(ex, DataBufferLimitException.class) || ex instanceof PayloadTooLargeException) {
            return new Problem(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Request body too large",
                    "Request bodies are limited to " + BodySizeLimit.MAX_BYTES / 1024 + " KB.");
        }
        if (ex instanceof ServerWebInputException input) {
            return inputProblem(input);
        }
        if (ex instanceof AuthenticationException) {
            return new Problem(HttpStatus.UNAUTHORIZED, "unauthorized", "Authentication required",
                    "A valid bearer token is required.");
        }
        if (ex instanceof AccessDeniedException) {
            return Problem.forbidden("Not allowed.");
        }
        if (ex instanceof MethodNotAllowedException mna) {
            Problem p = new Problem(HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed",
                    "Allowed: " + mna.getSupportedMethods());
            p.headers().put(HttpHeaders.ALLOW, mna.getSupportedMethods().stream().map(Object::toString)
                    .collect(Collectors.joining(", ")));
            return p;
        }
        if (ex instanceof ResponseStatusException rse) {
            HttpStatus status = HttpStatus.resolve(rse.getStatusCode().value());
            if (status == null) {
                status = HttpStatus.INTERNAL_SERVER_ERROR;
            }
            String code = status == HttpStatus.NOT_FOUND ? "not-found"
                    : status.getReasonPhrase().toLowerCase(Locale.ROOT).replace(' ', '-');
            String detail = status == HttpStatus.NOT_FOUND ? "No such resource." : rse.getReason();
            if (status.is5xxServerError()) {
                log.error("Request failed", ex);
                detail = "The server could not complete the request.";
            }
            return new Problem(status, code, status.getReasonPhrase(), detail == null ? status.getReasonPhrase() : detail);
        }
        if (ex instanceof QueryTimeoutException || ex instanceof RedisConnectionFailureException) {
            // Redis did not answer in time (overload, failover) or is unreachable: the client may retry. A timed-out
            // write may still have been applied, so the detail says how to find out.
            log.warn("Request failed, Redis unavailable: {}", ex.toString());
            Problem p = new Problem(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "Service unavailable",
                    "The data store did not answer in time. A write may or may not have been applied: read the "
                            + "resource before retrying it.");
            p.headers().put(HttpHeaders.RETRY_AFTER, "1");
            return p;
        }
        log.error("Request failed", ex);
        return new Problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
                "The server could not complete the request.");
    }

    private Problem inputProblem(ServerWebInputException input) {
        UnrecognizedPropertyException unknown = cause(input, UnrecognizedPropertyException.class);
        if (unknown != null) {
            String pointer = pointer(unknown);
            return Problem.badRequest("Unknown property " + pointer,
                    List.of(Problem.FieldError.pointer(pointer, "unknown property")));
        }
        MismatchedInputException mismatch = cause(input, MismatchedInputException.class);
        if (mismatch != null) {
            String pointer = pointer(mismatch);
            if (pointer.isEmpty()) {
                return Problem.badRequest("The body must be a JSON object.",
                        List.of(Problem.FieldError.pointer("", "expected a JSON object")));
            }
            return Problem.badRequest("Wrong type at " + pointer,
                    List.of(Problem.FieldError.pointer(pointer, "wrong type")));
        }
        InputCoercionException outOfRange = cause(input, InputCoercionException.class);
        if (outOfRange != null) {
            String pointer = pointer(outOfRange);
            return Problem.badRequest("Number out of range at " + pointer,
                    List.of(Problem.FieldError.pointer(pointer, "number out of range")));
        }
        if (cause(input, StreamReadException.class) != null) {
            return new Problem(HttpStatus.BAD_REQUEST, "malformed-json", "Malformed JSON",
                    "The request body is not valid JSON.");
        }
        String reason = input.getReason() == null ? "The request is not valid." : input.getReason();
        if (input.getMethodParameter() != null && input.getMethodParameter().hasParameterAnnotation(
                org.springframework.web.bind.annotation.RequestBody.class)) {
            reason = "A JSON request body is required.";
        }
        return new Problem(HttpStatus.BAD_REQUEST, "bad-request", "Bad request", reason);
    }

    private static String pointer(JacksonException e) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            sb.append('/');
            if (ref.getPropertyName() != null) {
                sb.append(ref.getPropertyName().replace("~", "~0").replace("/", "~1"));
            } else {
                sb.append(ref.getIndex());
            }
        }
        return sb.toString();
    }

    private static boolean hasCause(Throwable ex, Class<? extends Throwable> type) {
        return cause(ex, type) != null;
    }

    private static <T extends Throwable> T cause(Throwable ex, Class<T> type) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
