package io.seatwatch.bench.contention;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads top-level string and number fields out of the api's small JSON answers. A pattern is enough
 * here, and keeps this bench on the JDK alone: the fields read are ids (letters, digits, '-' and '_'),
 * statuses, opaque cursors and integers, none of which can hold a quote or an escape.
 */
final class JsonFields {

    private JsonFields() {
    }

    /** The first {@code "name":"value"} in the document, or null. */
    static String string(String json, String name) {
        Matcher m = stringField(name).matcher(json);
        return m.find() ? m.group(1) : null;
    }

    /** Every {@code "name":"value"} in the document, in order (e.g. each item's studentId in a page). */
    static List<String> strings(String json, String name) {
        List<String> values = new ArrayList<>();
        Matcher m = stringField(name).matcher(json);
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }

    /** The first {@code "name":123} in the document, or null. */
    static Integer integer(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*(-?[0-9]+)").matcher(json);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    private static Pattern stringField(String name) {
        return Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"\\\\]*)\"");
    }
}
