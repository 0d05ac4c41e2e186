package io.seatwatch.api.web;

import java.util.regex.Pattern;

/** The one id syntax of the API: class, student and instructor ids. */
public final class Ids {

    public static final String REGEX = "[A-Za-z0-9_-]{1,64}";
    private static final Pattern PATTERN = Pattern.compile(REGEX);

    private Ids() {}

    public static boolean valid(String id) {
        return id != null && PATTERN.matcher(id).matches();
    }

    /** Checks a path or query id; 400 naming the parameter otherwise. */
    public static String require(String parameter, String id) {
        if (!valid(id)) {
            throw Problem.invalidParameter(parameter, parameter + " must match " + REGEX);
        }
        return id;
    }
}
