package io.seatwatch.api.web;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * {@code ?limit=1..100} (default 50) and an opaque {@code ?cursor=}. Cursors are base64url of a
 * position in the underlying ordering, tagged with the collection they belong to so that one
 * collection's cursor is refused by another.
 */
public record PageRequest(int limit, String position) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 100;

    public static PageRequest of(String limit, String cursor, String collection, Pattern position) {
        int n = DEFAULT_LIMIT;
        if (limit != null) {
            try {
                n = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > MAX_LIMIT) {
                throw Problem.invalidParameter("limit", "limit must be an integer from 1 to " + MAX_LIMIT);
            }
        }
        return new PageRequest(n, cursor == null ? "" : decode(cursor, collection, position));
    }

    public static String cursor(String collection, String position) {
        if (position == null) {
            return null;
        }
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((collection + ":" + position).getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String cursor, String collection, Pattern position) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (raw.startsWith(collection + ":")) {
                String p = raw.substring(collection.length() + 1);
                if (position.matcher(p).matches()) {
                    return p;
                }
            }
        } catch (IllegalArgumentException e) {
            // fall through to the problem below
        }
        throw Problem.invalidParameter("cursor", "cursor is not one this collection issued");
    }
}
