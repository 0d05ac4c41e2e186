package io.seatwatch.api.web;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strong entity tags built from a version and the Redis time of the change ({@code "12.1764483500123456"}),
 * so a version repeated after a crash cannot match an old tag; and the RFC 9110 comparisons.
 */
public final class EntityTags {

    private static final Pattern TAG = Pattern.compile("\\s*(W/)?\"([\\x21\\x23-\\x7e\\x80-\\xff]*)\"\\s*(,|$)");

    private EntityTags() {}

    /** The opaque part, as the Lua scripts compute it too. */
    public static String opaque(String version, String changedAt) {
        return version + "." + changedAt;
    }

    public static String header(String opaque) {
        return "\"" + opaque + "\"";
    }

    /**
     * The If-Match argument for a write script: {@code ""} when absent, {@code "*"}, or the strong tags
     * separated by spaces. Weak tags never match strongly, so a header of only weak or unparsable tags
     * becomes {@code "-"}, which matches nothing.
     */
    public static String ifMatchArgument(java.util.List<String> headerValues) {
        if (headerValues == null || headerValues.isEmpty()) {
            return "";
        }
        String ifMatch = String.join(",", headerValues);
        if (ifMatch == null) {
            return "";
        }
        if (ifMatch.trim().equals("*")) {
            return "*";
        }
        List<String> strong = parse(ifMatch).stream().filter(t -> !t.weak() && !t.opaque().isEmpty())
                .map(Tag::opaque).toList();
        return strong.isEmpty() ? "-" : String.join(" ", strong);
    }

    /** The tags of a list header; an unparsable header yields none. */
    public static List<Tag> parse(String header) {
        List<Tag> tags = new ArrayList<>();
        Matcher m = TAG.matcher(header);
        int at = 0;
        while (at < header.length() && m.find(at) && m.start() == at) {
            tags.add(new Tag(m.group(1) != null, m.group(2)));
            at = m.end();
        }
        return at == header.length() ? tags : List.of();
    }

    public record Tag(boolean weak, String opaque) {}
}
