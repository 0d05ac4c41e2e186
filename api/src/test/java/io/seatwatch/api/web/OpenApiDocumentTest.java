package io.seatwatch.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.seatwatch.api.ApiTestSupport;
import io.seatwatch.api.web.openapi.ApiOperations;
import io.seatwatch.api.web.openapi.ApiOperations.ApiOperation;
import io.seatwatch.api.web.openapi.ApiOperations.Trait;
import io.seatwatch.api.web.openapi.ProblemTypes;
import io.seatwatch.api.web.openapi.ProblemTypes.ProblemType;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI document and Swagger UI: public, complete (every mapped /api/v1 operation, with its security,
 * problem types and conditional-request headers), and switchable off; the API itself still needs a token.
 */
@TestPropertySource(properties = "seatwatch.redis.key-prefix=sw:v1:test:openapi:")
class OpenApiDocumentTest extends ApiTestSupport {

    private static final String PROBLEM_REF = "#/components/schemas/Problem";

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping mappings;

    /** The server's root, not /api/v1: the documentation lives beside the API. */
    private WebTestClient root;

    private JsonNode document;

    @BeforeEach
    void fetchDocument() {
        root = WebTestClient.bindToServer().baseUrl("http://localhost:" + port)
                .responseTimeout(Duration.ofSeconds(30)).build();
        EntityExchangeResult<byte[]> result = root.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody().returnResult();
        document = json.readTree(result.getResponseBody());
    }

    // ---------------------------------------------------------------- access

    @Test
    void theDocumentIsPublicJsonAndYaml() {
        assertThat(document.path("openapi").asString()).startsWith("3.1");
        assertThat(document.path("info").path("title").asString()).isEqualTo("Seatwatch API");
        assertThat(document.path("info").path("version").asString()).as("the Maven project version")
                .isNotBlank().doesNotContain("@").isNotEqualTo("development");
        assertThat(document.path("info").path("description").asString()).contains("Bearer", "problem+json");
        // Relative: the document does not name the host it was fetched from.
        assertThat(document.path("servers")).hasSize(1);
        assertThat(document.path("servers").get(0).path("url").asString()).isEqualTo("/");

        String yaml = new String(root.get().uri("/v3/api-docs.yaml").exchange()
                .expectStatus().isOk()
                .expectBody().returnResult().getResponseBody(), StandardCharsets.UTF_8);
        assertThat(yaml).startsWith("openapi: 3.1").contains("title: Seatwatch API", "/api/v1/classes/{classId}");
    }

    @Test
    void swaggerUiIsPublicAndRendersThisDocument() {
        String page = followRedirects("/swagger-ui.html");
        assertThat(page).contains("<div id=\"swagger-ui\">", "swagger-initializer.js");

        String initializer = new String(root.get().uri("/swagger-ui/swagger-initializer.js").exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBody(), StandardCharsets.UTF_8);
        assertThat(initializer).contains("/v3/api-docs/swagger-config");
        root.get().uri("/v3/api-docs/swagger-config").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.url").isEqualTo("/v3/api-docs");
    }

    @Test
    void onlyReadingTheDocumentationIsOpenAndTheApiStillNeedsAToken() {
        for (String path : List.of("/api/v1/ping", "/api/v1/classes", "/webjars/swagger-ui/index.html",
                "/v3/api-docs-not-really", "/swagger-ui.html.bak")) {
            assertUnauthorized(root.get().uri(path).exchange(), path);
        }
        // GET only: the documentation paths take no other method without a token.
        assertUnauthorized(root.post().uri("/v3/api-docs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}").exchange(), "POST /v3/api-docs");
        assertUnauthorized(root.delete().uri("/swagger-ui/index.html").exchange(), "DELETE /swagger-ui/index.html");
        // An invalid token is refused on public paths too, as on the email confirmation link.
        assertUnauthorized(root.get().uri("/v3/api-docs").header("Authorization", "Bearer abc").exchange(),
                "/v3/api-docs with an invalid token");
    }

    @Test
    void switchedOffTheDocumentationIsLikeAnyUnknownPath() {
        try (ConfigurableApplicationContext other = startApi("--server.port=0", "--management.server.port=0",
                "--spring.main.banner-mode=off",
                "--seatwatch.redis.key-prefix=sw:v1:test:openapi:off:",
                "--seatwatch.security.jwt.secret=" + SECRET,
                "--seatwatch.webhooks.secret-key=" + WEBHOOK_SECRET_KEY,
                "--seatwatch.security.jwt.issuer-uri=", "--seatwatch.security.jwt.jwk-set-uri=",
                "--seatwatch.relay.enabled=false",
                "--springdoc.api-docs.enabled=false")) {
            WebTestClient off = WebTestClient.bindToServer()
                    .baseUrl("http://localhost:" + other.getEnvironment().getProperty("local.server.port"))
                    .responseTimeout(Duration.ofSeconds(30)).build();
            for (String path : List.of("/v3/api-docs", "/v3/api-docs.yaml", "/swagger-ui.html",
                    "/swagger-ui/index.html")) {
                assertUnauthorized(off.get().uri(path).exchange(), path + " switched off");
                off.get().uri(path).header("Authorization", "Bearer " + registrar()).exchange()
                        .expectStatus().isNotFound()
                        .expectBody().jsonPath("$.type").isEqualTo("/problems/not-found");
            }
            off.get().uri("/api/v1/ping").header("Authorization", "Bearer " + student("s-1")).exchange()
                    .expectStatus().isOk();
        }
    }

    // ---------------------------------------------------------------- completeness

    @Test
    void everyMappedApiOperationIsDocumentedWithItsMethod() {
        Set<String> mapped = new TreeSet<>();
        mappings.getHandlerMethods().keySet().forEach(info -> info.getPatternsCondition().getPatterns().forEach(p -> {
            if (p.getPatternString().startsWith("/api/v1")) {
                assertThat(info.getMethodsCondition().getMethods()).as("methods of %s", p.getPatternString()).isNotEmpty();
                info.getMethodsCondition().getMethods().forEach(m -> mapped.add(m.name() + " " + p.getPatternString()));
            }
        }));
        // The README's 22 operations (GET and POST of the confirmation link share a row) and the refused HEAD.
        assertThat(mapped).hasSize(23);

        Set<String> documented = new TreeSet<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(op ->
                documented.add(op.getKey().toUpperCase() + " " + path.getKey())));
        assertThat(documented).isEqualTo(mapped);

        // ...each with what ApiOperations says about it, and nothing there is stale.
        Set<String> described = new TreeSet<>();
        ApiOperations.ALL.forEach(op -> described.add(op.key()));
        assertThat(described).isEqualTo(mapped);
        Set<String> operationIds = new TreeSet<>();
        for (ApiOperation spec : ApiOperations.ALL) {
            JsonNode op = operation(spec);
            assertThat(op.path("operationId").asString()).as(spec.key()).isEqualTo(spec.operationId());
            assertThat(op.path("summary").asString()).as(spec.key()).isEqualTo(spec.summary());
            assertThat(op.path("tags").get(0).asString()).as(spec.key()).isEqualTo(spec.tag());
            operationIds.add(spec.operationId());
            // The caller comes from the token: no parameter stands for it.
            op.path("parameters").forEach(p -> assertThat(p.path("name").asString()).as(spec.key()).isNotEqualTo("caller"));
            // Every variable of the path is a described path parameter.
            List<String> pathParameters = new ArrayList<>();
            op.path("parameters").forEach(p -> {
                if (p.path("in").asString().equals("path")) {
                    assertThat(p.path("description").asString()).as("%s %s", spec.key(), p).isNotBlank();
                    pathParameters.add("{" + p.path("name").asString() + "}");
                }
            });
            assertThat(pathParameters).as(spec.key())
                    .containsExactlyElementsOf(Pattern.compile("\\{[^}]+}").matcher(spec.path())
                            .results().map(MatchResult::group).toList());
            spec.successes().forEach(s -> assertThat(op.path("responses").has(Integer.toString(s.status())))
                    .as("%s answers %d", spec.key(), s.status()).isTrue());
        }
        assertThat(operationIds).as("operation ids are unique").hasSize(ApiOperations.ALL.size());
        assertThat(document.path("components").path("schemas").has("Caller")).isFalse();
    }

    @Test
    void bearerJwtIsRequiredEverywhereButOnTheEmailConfirmationLink() {
        JsonNode scheme = document.path("components").path("securitySchemes").path("bearerAuth");
        assertThat(scheme.path("type").asString()).isEqualTo("http");
        assertThat(scheme.path("scheme").asString()).isEqualTo("bearer");
        assertThat(scheme.path("bearerFormat").asString()).isEqualTo("JWT");

        JsonNode global = document.path("security");
        assertThat(global).hasSize(1);
        assertThat(global.get(0).has("bearerAuth")).isTrue();

        int tokenless = 0;
        for (ApiOperation spec : ApiOperations.ALL) {
            JsonNode op = operation(spec);
            if (spec.path().startsWith("/api/v1/email-confirmations/")) {
                tokenless++;
                assertThat(op.has("security")).as(spec.key()).isTrue();
                assertThat(op.path("security").isArray() && op.path("security").isEmpty())
                        .as("%s overrides the global requirement with none", spec.key()).isTrue();
                assertThat(op.path("responses").has("401")).as(spec.key()).isFalse();
            } else {
                assertThat(op.has("security")).as("%s inherits the global requirement", spec.key()).isFalse();
                assertThat(op.path("responses").path("401").path("description").asString()).as(spec.key())
                        .contains("`unauthorized`");
                assertThat(op.path("responses").path("401").path("headers").has("WWW-Authenticate")).as(spec.key()).isTrue();
            }
        }
        assertThat(tokenless).isEqualTo(3);
        // ...and the document is right about it: the link needs no token, everything else does.
        http.get().uri("/email-confirmations/{t}", "A".repeat(43)).exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("/problems/confirmation-not-found");
    }

    // ---------------------------------------------------------------- problems

    @Test
    void theProblemSchemaAndEveryProblemTypeAreDocumented() {
        JsonNode problem = document.path("components").path("schemas").path("Problem");
        for (String property : List.of("type", "title", "status", "detail", "instance", "errors")) {
            assertThat(problem.path("properties").has(property)).as("Problem.%s", property).isTrue();
        }
        assertThat(problem.path("properties").path("errors").path("items").path("$ref").asString())
                .isEqualTo("#/components/schemas/ProblemFieldError");
        JsonNode fieldError = document.path("components").path("schemas").path("ProblemFieldError").path("properties");
        assertThat(fieldError.has("pointer") && fieldError.has("parameter") && fieldError.has("detail")).isTrue();

        JsonNode listed = document.path("x-problem-types");
        String description = document.path("info").path("description").asString();
        List<String> codes = List.of("validation-failed", "malformed-json", "bad-request", "unauthorized", "forbidden",
                "not-found", "class-not-found", "enrollment-not-found", "waitlist-entry-not-found",
                "subscription-not-found", "webhook-not-found", "delivery-not-found", "confirmation-not-found",
                "method-not-allowed", "not-acceptable", "class-exists", "class-frozen", "already-enrolled",
                "already-waitlisted", "waitlist-full", "waitlist-limit", "capacity-below-enrolled",
                "waitlist-capacity-below-waitlisted", "webhook-disabled", "confirmation-superseded",
                "precondition-failed", "payload-too-large", "unsupported-media-type", "rate-limited", "replay-limit",
                "internal-error", "unavailable");
        assertThat(ProblemTypes.ALL.stream().map(ProblemType::code).toList()).containsExactlyInAnyOrderElementsOf(codes);
        assertThat(listed.size()).isEqualTo(codes.size());
        for (ProblemType t : ProblemTypes.ALL) {
            JsonNode entry = listed.path(t.code());
            assertThat(entry.path("type").asString()).isEqualTo("/problems/" + t.code());
            assertThat(entry.path("status").asInt()).as(t.code()).isEqualTo(t.status().value());
            assertThat(entry.path("title").asString()).as(t.code()).isEqualTo(t.title());
            assertThat(description).contains("| `/problems/" + t.code() + "` | " + t.status().value() + " |");
        }
    }

    @Test
    void errorResponsesAreProblemsWithTheirTypes() {
        Set<String> usedOnOperations = new TreeSet<>();
        for (ApiOperation spec : ApiOperations.ALL) {
            JsonNode responses = operation(spec).path("responses");
            responses.properties().forEach(r -> {
                int status = Integer.parseInt(r.getKey());
                if (status < 400) {
                    return;
                }
                JsonNode content = r.getValue().path("content");
                List<String> mediaTypes = new ArrayList<>();
                content.properties().forEach(m -> mediaTypes.add(m.getKey()));
                assertThat(mediaTypes).as("%s %d", spec.key(), status).containsExactly("application/problem+json");
                JsonNode media = content.path("application/problem+json");
                assertThat(media.path("schema").path("$ref").asString()).as("%s %d", spec.key(), status).isEqualTo(PROBLEM_REF);
                assertThat(media.path("examples").isEmpty()).as("%s %d", spec.key(), status).isFalse();
                media.path("examples").properties().forEach(e -> {
                    ProblemType type = ProblemTypes.of(e.getKey());
                    assertThat(type.status().value()).as("%s %d %s", spec.key(), status, type.code()).isEqualTo(status);
                    assertThat(e.getValue().path("value").path("type").asString()).isEqualTo(type.type());
                    assertThat(r.getValue().path("description").asString()).contains("`" + type.code() + "`");
                    usedOnOperations.add(type.code());
                });
            });
            spec.problems().forEach(code -> assertThat(responses.path(Integer.toString(ProblemTypes.of(code).status().value()))
                    .path("content").path("application/problem+json").path("examples").has(code))
                    .as("%s documents %s", spec.key(), code).isTrue());
            boolean takesBody = operation(spec).has("requestBody");
            assertThat(responses.has("413")).as("%s 413", spec.key()).isEqualTo(takesBody);
            assertThat(responses.has("412")).as("%s 412", spec.key()).isEqualTo(spec.has(Trait.IF_MATCH));
            assertThat(responses.has("429")).as("%s 429", spec.key())
                    .isEqualTo(spec.has(Trait.RATE_LIMITED) || spec.problems().contains("replay-limit"));
            if (responses.has("429")) {
                assertThat(responses.path("429").path("headers").has("Retry-After")).as(spec.key()).isTrue();
            }
        }
        // The common statuses all appear, and every code an operation can answer is one.
        assertThat(usedOnOperations).contains("validation-failed", "unauthorized", "forbidden", "class-not-found",
                "already-enrolled", "waitlist-full", "precondition-failed", "payload-too-large", "rate-limited",
                "method-not-allowed", "confirmation-superseded", "replay-limit", "webhook-disabled");
    }

    /** Every code the sources build a problem with is in the catalogue, so a new one cannot go undocumented. */
    @Test
    void everyProblemCodeInTheSourcesIsListed() throws IOException {
        Pattern built = Pattern.compile(
                "new Problem\\(HttpStatus\\.[A-Z_]+,\\s*\"([a-z-]+)\""
                        + "|Problem\\.(?:notFound|conflict)\\(\\s*\"([a-z-]+)\""
                        + "|fromScript\\(\"([a-z-]+)\""
                        + "|case \"([a-z-]+)\" ->");
        Set<String> found = new TreeSet<>();
        Path sources = Path.of("src/main/java");
        try (var files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                built.matcher(Files.readString(file)).results().forEach(m -> {
                    for (int g = 1; g <= m.groupCount(); g++) {
                        if (m.group(g) != null) {
                            found.add(m.group(g));
                        }
                    }
                });
            }
        }
        // Not vacuous: the scan sees the codes of Problem, ProblemHandler, SecurityConfig and the services.
        assertThat(found).contains("validation-failed", "payload-too-large", "unauthorized", "waitlist-full",
                "confirmation-superseded", "replay-limit", "webhook-disabled").hasSizeGreaterThan(25);
        assertThat(ProblemTypes.ALL.stream().map(ProblemType::code).toList()).containsAll(found);
        JsonNode listed = document.path("x-problem-types");
        found.forEach(code -> assertThat(listed.has(code)).as(code).isTrue());
    }

    /** The titles the document lists are the ones the API sends. */
    @Test
    void documentedTitlesMatchRealProblems() {
        String unknownClass = "nosuchclass1";
        assertTitle(http.get().uri("/ping").exchange(), "unauthorized");
        assertTitle(http.get().uri("/classes/{c}", unknownClass).header("Authorization", "Bearer " + registrar())
                .exchange(), "class-not-found");
        assertTitle(http.get().uri("/classes?limit=0").header("Authorization", "Bearer " + registrar()).exchange(),
                "validation-failed");
        assertTitle(http.post().uri("/classes").header("Authorization", "Bearer " + student("s-7"))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"x\":").exchange(), "malformed-json");
        assertTitle(http.get().uri("/nope").header("Authorization", "Bearer " + registrar()).exchange(), "not-found");
        assertTitle(http.method(HttpMethod.HEAD).uri("/email-confirmations/{t}", "A".repeat(43)).exchange(),
                "method-not-allowed");
        assertTitle(http.post().uri("/classes").header("Authorization", "Bearer " + registrar())
                .contentType(MediaType.TEXT_PLAIN).bodyValue("x").exchange(), "unsupported-media-type");
        assertTitle(http.delete().uri("/classes/{c}", unknownClass).header("Authorization", "Bearer " + student("s-7"))
                .exchange(), "forbidden");
    }

    // ---------------------------------------------------------------- conditional requests

    @Test
    void conditionalRequestHeadersAreDocumented() {
        for (ApiOperation spec : ApiOperations.ALL) {
            JsonNode op = operation(spec);
            List<String> refs = new ArrayList<>();
            op.path("parameters").forEach(p -> refs.add(p.path("$ref").asString()));
            boolean conditional = spec.has(Trait.CONDITIONAL_GET);
            assertThat(refs.contains("#/components/parameters/If-None-Match")).as(spec.key()).isEqualTo(conditional);
            assertThat(refs.contains("#/components/parameters/If-Match")).as(spec.key()).isEqualTo(spec.has(Trait.IF_MATCH));
            assertThat(op.path("responses").has("304")).as(spec.key()).isEqualTo(conditional);
            if (conditional) {
                assertThat(op.path("responses").path("200").path("headers").has("ETag")).as(spec.key()).isTrue();
                assertThat(op.path("responses").path("304").path("headers").has("ETag")).as(spec.key()).isTrue();
            }
        }
        // The endpoints the README promises validators on.
        assertThat(ApiOperations.ALL.stream().filter(op -> op.has(Trait.CONDITIONAL_GET)).map(ApiOperation::operationId))
                .containsExactlyInAnyOrder("listClasses", "getClass", "getEnrollment", "getWaitlistPosition");
        assertThat(ApiOperations.ALL.stream().filter(op -> op.has(Trait.IF_MATCH)).map(ApiOperation::operationId))
                .containsExactlyInAnyOrder("updateClass", "deleteClass", "dropEnrollment", "leaveWaitlist");
        JsonNode parameters = document.path("components").path("parameters");
        assertThat(parameters.path("If-None-Match").path("in").asString()).isEqualTo("header");
        assertThat(parameters.path("If-Match").path("in").asString()).isEqualTo("header");
        assertThat(parameters.path("limit").path("schema").path("maximum").asInt()).isEqualTo(100);
        assertThat(document.path("components").path("headers").has("ETag")).isTrue();
    }

    @Test
    void everyReferenceResolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(document, refs::add);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).startsWith("#/");
            assertThat(document.at(ref.substring(1)).isMissingNode()).as("%s resolves", ref).isFalse();
        }
    }

    // ---------------------------------------------------------------- helpers

    private JsonNode operation(ApiOperation spec) {
        JsonNode op = document.path("paths").path(spec.path()).path(spec.method().name().toLowerCase());
        assertThat(op.isMissingNode()).as("%s is in the document", spec.key()).isFalse();
        return op;
    }

    /** GETs the path and follows redirects (WebTestClient does not), expecting a 200 HTML page at the end. */
    private String followRedirects(String path) {
        URI uri = URI.create("http://localhost:" + port + path);
        for (int hops = 0; hops < 5; hops++) {
            EntityExchangeResult<byte[]> result = root.get().uri(uri).exchange().expectBody().returnResult();
            if (result.getStatus().is3xxRedirection()) {
                uri = uri.resolve(result.getResponseHeaders().getLocation());
                continue;
            }
            assertThat(result.getStatus().value()).as("GET %s", uri).isEqualTo(200);
            assertThat(result.getResponseHeaders().getContentType()).isNotNull()
                    .matches(t -> t.isCompatibleWith(MediaType.TEXT_HTML), "text/html");
            return new String(result.getResponseBody(), StandardCharsets.UTF_8);
        }
        throw new AssertionError("too many redirects from " + path);
    }

    private void assertUnauthorized(WebTestClient.ResponseSpec response, String what) {
        EntityExchangeResult<byte[]> result = response.expectBody().returnResult();
        assertThat(result.getStatus().value()).as(what).isEqualTo(401);
        assertThat(result.getResponseHeaders().getContentType()).as(what).isNotNull()
                .matches(t -> t.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON), "application/problem+json");
        assertThat(json.readTree(result.getResponseBody()).path("type").asString()).as(what)
                .isEqualTo("/problems/unauthorized");
    }

    private void assertTitle(WebTestClient.ResponseSpec response, String code) {
        ProblemType type = ProblemTypes.of(code);
        EntityExchangeResult<byte[]> result = response.expectBody().returnResult();
        assertThat(result.getStatus().value()).as(code).isEqualTo(type.status().value());
        byte[] body = result.getResponseBody();
        if (body == null || body.length == 0) {
            // HEAD: no body, but the status is the type's.
            return;
        }
        JsonNode problem = json.readTree(body);
        assertThat(problem.path("type").asString()).isEqualTo(type.type());
        assertThat(problem.path("title").asString()).as(code).isEqualTo(type.title());
        assertThat(problem.path("status").asInt()).as(code).isEqualTo(type.status().value());
    }

    private static void collectRefs(JsonNode node, Consumer<String> sink) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("$ref")) {
                    sink.accept(e.getValue().asString());
                } else {
                    collectRefs(e.getValue(), sink);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collectRefs(child, sink));
        }
    }
}
