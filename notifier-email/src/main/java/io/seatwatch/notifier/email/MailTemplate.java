package io.seatwatch.notifier.email;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.core.io.Resource;

/**
 * A text with {@code {{name}}} placeholders. Every value passes through the template's escaper (HTML
 * escaping for HTML parts, nothing for text parts, whose values are already single lines), and a template
 * naming a placeholder that does not exist is refused when the app starts, not when the first email goes.
 */
final class MailTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z]+)\\s*}}");

    private final String name;
    private final String text;
    private final UnaryOperator<String> escaper;

    private MailTemplate(String name, String text, Set<String> allowed, UnaryOperator<String> escaper) {
        this.name = name;
        this.text = text;
        this.escaper = escaper;
        Set<String> unknown = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            if (!allowed.contains(m.group(1))) {
                unknown.add(m.group(1));
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalStateException("Template " + name + " uses unknown placeholders " + unknown
                    + "; known: " + new TreeSet<>(allowed));
        }
    }

    static MailTemplate of(String name, String text, Set<String> allowed, UnaryOperator<String> escaper) {
        return new MailTemplate(name, text, allowed, escaper);
    }

    static MailTemplate load(Resource resource, Set<String> allowed, UnaryOperator<String> escaper) {
        try {
            return new MailTemplate(resource.getDescription(), resource.getContentAsString(StandardCharsets.UTF_8),
                    allowed, escaper);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read email template " + resource.getDescription(), e);
        }
    }

    String render(Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder(text.length() + 256);
        while (m.find()) {
            String value = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(escaper.apply(value == null ? "" : value)));
        }
        m.appendTail(out);
        return out.toString();
    }

    @Override
    public String toString() {
        return name;
    }
}
