package io.seatwatch.api.subscription;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The email addresses Seatwatch sends to: {@code local@domain} with a dot-atom local part (RFC 5322 atext,
 * no quoted strings), a domain of LDH labels (RFC 1035/1123) with at least one dot and a non-numeric
 * top-level label, ASCII only (no SMTPUTF8), and the RFC 5321 limits: 64 characters for the local part,
 * 63 per label, 254 for the whole address. Control characters (CR and LF above all: header injection) are
 * refused with their own message.
 */
public final class EmailAddresses {

    public static final int MAX_LENGTH = 254;
    public static final int MAX_LOCAL_PART = 64;
    public static final int MAX_LABEL = 63;

    private static final String ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
    private static final Pattern DOT_ATOM = Pattern.compile(ATEXT + "(\\." + ATEXT + ")*");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?");
    private static final Pattern NUMERIC = Pattern.compile("[0-9]+");

    private EmailAddresses() {}

    /** What is wrong with the address, if anything. */
    public static Optional<String> problem(String email) {
        if (email.chars().anyMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)
                || c == '\u2028' || c == '\u2029')) {
            return Optional.of("must not contain control characters or line breaks");
        }
        if (email.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters (RFC 5321)");
        }
        int at = email.lastIndexOf('@');
        if (at < 0) {
            return Optional.of("must be an address of the form local@domain");
        }
        String local = email.substring(0, at);
        String domain = email.substring(at + 1);
        if (local.isEmpty() || domain.isEmpty()) {
            return Optional.of("must be an address of the form local@domain");
        }
        if (local.length() > MAX_LOCAL_PART) {
            return Optional.of("local part must be at most " + MAX_LOCAL_PART + " characters (RFC 5321)");
        }
        if (!DOT_ATOM.matcher(local).matches()) {
            return Optional.of("local part must be ASCII letters, digits or !#$%&'*+/=?^_`{|}~- with single dots"
                    + " between them (no spaces, quotes or a second @)");
        }
        String[] labels = domain.split("\\.", -1);
        if (labels.length < 2) {
            return Optional.of("domain must contain a dot");
        }
        for (String label : labels) {
            if (label.length() > MAX_LABEL) {
                return Optional.of("domain labels must be at most " + MAX_LABEL + " characters");
            }
            if (!LABEL.matcher(label).matches()) {
                return Optional.of("domain must be dot-separated labels of ASCII letters, digits and inner hyphens");
            }
        }
        if (NUMERIC.matcher(labels[labels.length - 1]).matches()) {
            return Optional.of("domain must not end in a numeric label");
        }
        return Optional.empty();
    }
}
