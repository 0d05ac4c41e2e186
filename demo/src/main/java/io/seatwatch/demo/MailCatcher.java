package io.seatwatch.demo;

import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * The local SMTP catcher's web API: GreenMail standalone ({@code ./seatwatch up}) or Mailpit
 * ({@code docker compose}), whichever answers.
 */
final class MailCatcher {

    record Mail(String subject, String text) {}

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    MailCatcher(URI base) {
        this.base = base;
    }

    /** The first email to {@code to} whose subject contains {@code subjectPart}, waiting up to {@code timeout}. */
    Mail await(String to, String subjectPart, Duration timeout) throws Exception {
        boolean greenMail = get("/api/service/readiness").statusCode() == 200;
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Optional<Mail> mail = greenMail ? fromGreenMail(to, subjectPart) : fromMailpit(to, subjectPart);
            if (mail.isPresent()) {
                return mail.get();
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new StepFailed("no email to " + to + " with \"" + subjectPart + "\" in its subject at " + base
                + " within " + timeout.toSeconds() + " s");
    }

    private Optional<Mail> fromGreenMail(String to, String subjectPart) throws Exception {
        HttpResponse<String> response = get("/api/user/" + URLEncoder.encode(to, StandardCharsets.UTF_8) + "/messages/INBOX");
        if (response.statusCode() != 200) {
            return Optional.empty(); // GreenMail creates the user when the first email arrives
        }
        for (JsonNode message : ApiClient.JSON.readTree(response.body())) {
            MimeMessage mime = new MimeMessage(Session.getInstance(new Properties()),
                    new ByteArrayInputStream(message.path("mimeMessage").asString().getBytes(StandardCharsets.UTF_8)));
            if (mime.getSubject() != null && mime.getSubject().contains(subjectPart)) {
                return Optional.of(new Mail(mime.getSubject(), plainText(mime.getContent())));
            }
        }
        return Optional.empty();
    }

    private Optional<Mail> fromMailpit(String to, String subjectPart) throws Exception {
        String query = URLEncoder.encode("to:\"" + to + "\"", StandardCharsets.UTF_8);
        HttpResponse<String> response = get("/api/v1/search?query=" + query);
        Demo.check(response.statusCode() == 200, "the mail catcher at " + base + " answered " + response.statusCode()
                + " (neither GreenMail nor Mailpit?)");
        for (JsonNode summary : ApiClient.JSON.readTree(response.body()).path("messages")) {
            if (summary.path("Subject").asString().contains(subjectPart)) {
                JsonNode message = ApiClient.JSON.readTree(get("/api/v1/message/" + summary.path("ID").asString()).body());
                return Optional.of(new Mail(message.path("Subject").asString(), message.path("Text").asString()));
            }
        }
        return Optional.empty();
    }

    private static String plainText(Object content) throws Exception {
        if (content instanceof String text) {
            return text;
        }
        if (content instanceof Multipart multipart) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart part = multipart.getBodyPart(i);
                if (part.isMimeType("text/plain") || part.isMimeType("multipart/*")) {
                    text.append(plainText(part.getContent()));
                }
            }
            return text.toString();
        }
        return "";
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new StepFailed("the mail catcher at " + base + " does not answer: " + e);
        }
    }
}
