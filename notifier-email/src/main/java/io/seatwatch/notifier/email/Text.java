package io.seatwatch.notifier.email;

import org.springframework.web.util.HtmlUtils;

/**
 * Neutralises text that came from users (titles, ids) before it goes into a header or a body: control
 * characters (CR and LF above all), Unicode line separators and invisible format characters (bidi
 * overrides) become nothing or a space, runs of white space collapse, and the result is cut to a length.
 * The result is always one line, so it can never start a new header or fake a body line.
 */
final class Text {

    private Text() {}

    static String line(String value, int maxLength) {
        if (value == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), maxLength));
        boolean space = false;
        for (int i = 0; i < value.length() && out.length() < maxLength; ) {
            int cp = value.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            if (type == Character.FORMAT || type == Character.UNASSIGNED || type == Character.PRIVATE_USE
                    || type == Character.SURROGATE) {
                continue;
            }
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.isISOControl(cp)) {
                space = out.length() > 0;
                continue;
            }
            if (space) {
                out.append(' ');
                space = false;
            }
            out.appendCodePoint(cp);
        }
        return out.toString();
    }

    static String html(String value) {
        return HtmlUtils.htmlEscape(value, "UTF-8");
    }
}
