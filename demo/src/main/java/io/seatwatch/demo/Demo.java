package io.seatwatch.demo;

import com.standardwebhooks.Webhook;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The prototype's story, played against a running stack as a black box: a class of capacity 2, two
 * students enroll, a third is waitlisted and subscribes by email and webhook, one student drops, the
 * third is enrolled and told so by both channels. Every step prints what it checked; the first failure
 * exits with status 1.
 *
 * <p>Environment: {@code SEATWATCH_JWT_SECRET} (required, the api's HS256 secret),
 * {@code SEATWATCH_API_URL} (default {@code http://localhost:8080}), {@code SEATWATCH_MAIL_URL} (the
 * catcher's web API: GreenMail or Mailpit, default {@code http://127.0.0.1:8025}),
 * {@code SEATWATCH_DEMO_RECEIVER_HOST} (where notifier-webhook reaches this process, default 127.0.0.1),
 * {@code SEATWATCH_DEMO_TIMEOUT} (seconds to wait for each notification, default 60).
 */
public final class Demo {

    private static final Pattern CONFIRMATION_LINK = Pattern.compile("https?://\\S+/api/v1/email-confirmations/[A-Za-z0-9_-]+");

    private final ApiClient api;
    private final MailCatcher mail;
    private final Tokens tokens;
    private final String receiverHost;
    private final Duration timeout;
    private final Steps steps = new Steps(15);

    private Demo(ApiClient api, MailCatcher mail, Tokens tokens, String receiverHost, Duration timeout) {
        this.api = api;
        this.mail = mail;
        this.tokens = tokens;
        this.receiverHost = receiverHost;
        this.timeout = timeout;
    }

    public static void main(String[] args) {
        String secret = System.getenv("SEATWATCH_JWT_SECRET");
        if (secret == null || secret.isBlank()) {
            System.err.println("demo: SEATWATCH_JWT_SECRET is not set (./seatwatch demo sets it)");
            System.exit(2);
        }
        String apiUrl = env("SEATWATCH_API_URL", "http://localhost:8080");
        String mailUrl = env("SEATWATCH_MAIL_URL", "http://127.0.0.1:8025");
        Duration timeout = Duration.ofSeconds(Long.parseLong(env("SEATWATCH_DEMO_TIMEOUT", "60")));
        Demo demo = new Demo(new ApiClient(URI.create(apiUrl)), new MailCatcher(URI.create(mailUrl)),
                new Tokens(secret), env("SEATWATCH_DEMO_RECEIVER_HOST", "127.0.0.1"), timeout);
        try (WebhookReceiver receiver = WebhookReceiver.start(demo.receiverHost)) {
            demo.play(receiver);
            System.out.printf("%nDemo passed: %d steps in %d ms.%n", demo.steps.count(), demo.steps.elapsedMillis());
        } catch (StepFailed e) {
            System.out.println("FAILED");
            System.err.println("demo: " + e.getMessage());
            System.exit(1);
        } catch (Exception e) {
            System.out.println("FAILED");
            System.err.println("demo: unexpected " + e);
            System.exit(1);
        }
    }

    private void play(WebhookReceiver receiver) throws Exception {
        // One run's names: reruns never collide with earlier runs' classes or students.
        String run = Long.toString(Instant.now().toEpochMilli(), 36).toUpperCase();
        String alice = "alice-" + run.toLowerCase(), bob = "bob-" + run.toLowerCase(), carol = "carol-" + run.toLowerCase();
        String registrar = tokens.mint("reg-demo", List.of("registrar"), null);
        String aliceToken = tokens.mint(alice, List.of("student"), null);
        String bobToken = tokens.mint(bob, List.of("student"), null);
        String carolToken = tokens.mint(carol, List.of("student"), null);
        String carolEmail = carol + "@students.example";

        steps.run("The api answers an authenticated ping", () -> {
            expect(api.send("GET", "/api/v1/ping", registrar, null, Map.of()), 200);
            return "GET /api/v1/ping 200";
        });
        String classId = steps.run("A registrar creates a class of capacity 2", () -> {
            ApiClient.Response created = expect(api.send("POST", "/api/v1/classes", registrar, Map.of(
                    "department", "DEMO", "courseCode", run, "section", "01", "title", "Back-end Engineering",
                    "instructorId", "prof-demo", "capacity", 2), Map.of()), 201);
            return created.json().path("id").asString();
        });
        String enrollments = "/api/v1/classes/" + classId + "/enrollments";
        steps.run("Alice enrolls", () -> enrolled(expect(api.send("POST", enrollments, aliceToken, Map.of("studentId", alice), Map.of()), 201)));
        steps.run("Bob enrolls: the class is full", () -> enrolled(expect(api.send("POST", enrollments, bobToken, Map.of("studentId", bob), Map.of()), 201)));
        steps.run("Carol is waitlisted", () -> {
            JsonNode body = expect(api.send("POST", enrollments, carolToken, Map.of("studentId", carol), Map.of()), 202).json();
            check("WAITLISTED".equals(body.path("status").asString()) && body.path("position").asInt() == 1,
                    "expected WAITLISTED at position 1, got " + body);
            return "202 WAITLISTED, position 1";
        });
        String subscription = "/api/v1/students/" + carol + "/subscriptions/" + classId;
        String webhookUrl = receiver.url();
        // The signing secret is shown once, in this answer; it is kept here and never printed.
        String[] webhookSecret = new String[1];
        steps.run("Carol subscribes by email and webhook", () -> {
            JsonNode body = expect(api.send("PUT", subscription, carolToken,
                    Map.of("email", carolEmail, "webhookUrl", webhookUrl), Map.of()), 201).json();
            check("PENDING".equals(body.path("emailStatus").asString()), "expected emailStatus PENDING, got " + body);
            webhookSecret[0] = body.path("webhookSecret").asString("");
            check(webhookSecret[0].startsWith("whsec_"), "expected a whsec_ signing secret");
            return "201; email " + carolEmail + " PENDING, webhook " + webhookUrl;
        });
        String link = steps.run("The confirmation email arrives in the mail catcher", () -> {
            MailCatcher.Mail confirmation = mail.await(carolEmail, "Confirm", timeout);
            Matcher m = CONFIRMATION_LINK.matcher(confirmation.text());
            check(m.find(), "no confirmation link in the email: " + confirmation.text());
            return m.group();
        });
        steps.run("Carol follows the link: her email is ACTIVE", () -> {
            URI uri = URI.create(link);
            JsonNode body = expect(api.send("GET", uri.getRawPath(), null, null, Map.of()), 200).json();
            check("ACTIVE".equals(body.path("emailStatus").asString()), "expected ACTIVE, got " + body);
            return "200 ACTIVE";
        });
        String position = "/api/v1/classes/" + classId + "/waitlist/" + carol;
        String etag = steps.run("Carol polls her position: 200 with an ETag", () -> {
            ApiClient.Response r = expect(api.send("GET", position, carolToken, null, Map.of()), 200);
            check(r.json().path("position").asInt() == 1, "expected position 1, got " + r.json());
            return r.header("ETag").orElseThrow(() -> new StepFailed("no ETag on the position"));
        });
        steps.run("She polls again with If-None-Match: 304", () -> {
            ApiClient.Response r = api.send("GET", position, carolToken, null, Map.of("If-None-Match", etag));
            check(r.status() == 304, "expected 304, got " + r.status() + " " + r.body());
            check(r.body().isEmpty(), "a 304 must have no body");
            return "304, no body";
        });
        steps.run("Alice drops the class", () -> {
            expect(api.send("DELETE", enrollments + "/" + alice, aliceToken, null, Map.of()), 204);
            return "204";
        });
        steps.run("Carol is enrolled", () -> {
            Instant deadline = Instant.now().plus(timeout);
            while (true) {
                ApiClient.Response r = api.send("GET", enrollments + "/" + carol, carolToken, null, Map.of());
                if (r.status() == 200 && "ENROLLED".equals(r.json().path("status").asString())) {
                    return "ENROLLED";
                }
                check(Instant.now().isBefore(deadline), "carol is not enrolled: " + r.status() + " " + r.body());
                TimeUnit.MILLISECONDS.sleep(100);
            }
        });
        steps.run("The promotion email arrives in the mail catcher", () -> {
            MailCatcher.Mail promotion = mail.await(carolEmail, "You are enrolled", timeout);
            check(promotion.subject().contains("DEMO " + run), "unexpected subject: " + promotion.subject());
            return "\"" + promotion.subject() + "\"";
        });
        steps.run("The webhook arrives with a valid signature", () -> {
            WebhookReceiver.Received hook = receiver.await(timeout);
            try {
                new Webhook(webhookSecret[0]).verify(hook.body(), hook.headers());
            } catch (Exception e) {
                throw new StepFailed("the webhook's signature does not verify: " + e.getMessage());
            }
            JsonNode body = ApiClient.JSON.readTree(hook.body());
            check("enrollment.promoted".equals(body.path("type").asString()), "unexpected type: " + hook.body());
            check(carol.equals(body.path("data").path("studentId").asString())
                    && classId.equals(body.path("data").path("classId").asString()), "unexpected data: " + hook.body());
            return "type enrollment.promoted, webhook-id " + hook.headers().get("webhook-id").get(0) + ", signature verified";
        });
        steps.run("Carol's delivery log shows it DELIVERED", () -> {
            Instant deadline = Instant.now().plus(timeout);
            while (true) {
                JsonNode items = expect(api.send("GET", subscription + "/deliveries", carolToken, null, Map.of()), 200).json().path("items");
                if (items.size() == 1 && "DELIVERED".equals(items.get(0).path("status").asString())) {
                    return "1 delivery, DELIVERED";
                }
                check(Instant.now().isBefore(deadline), "delivery log: " + items);
                TimeUnit.MILLISECONDS.sleep(100);
            }
        });
    }

    private static String enrolled(ApiClient.Response response) {
        check("ENROLLED".equals(response.json().path("status").asString()), "expected ENROLLED, got " + response.body());
        return "201 ENROLLED";
    }

    private static ApiClient.Response expect(ApiClient.Response response, int status) {
        check(response.status() == status, "expected HTTP " + status + ", got " + response.status() + " " + response.body());
        return response;
    }

    static void check(boolean condition, String failure) {
        if (!condition) {
            throw new StepFailed(failure);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
