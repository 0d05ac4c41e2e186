package io.seatwatch.http;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP-dates (RFC 9110 section 5.6.7), the one formatter and parser of every Seatwatch app.
 *
 * <p>Written: IMF-fixdate only, always {@value #LENGTH} characters ({@code Thu, 03 Dec 2026 15:15:16 GMT}).
 * Written by hand, not with {@code DateTimeFormatter.RFC_1123_DATE_TIME}: that one prints days 1-9 with one
 * digit (RFC 5322's form, which an HTTP recipient may refuse), and fixed English names keep the default locale
 * out of every byte.
 *
 * <p>Read: the three forms a recipient must accept: IMF-fixdate, RFC 850 (two-digit year, read as the year
 * within 50 years of now) and asctime (space-padded day). Spring's own parsing misses the last two. Anything
 * else, including a weekday that contradicts the date, is not an HTTP-date.
 */
public final class HttpDates {

    /** Length of every date {@link #format} writes. */
    public static final int LENGTH = 29;

    // In java.time.DayOfWeek order (Monday first).
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] LONG_DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
            "Sunday"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
            "Nov", "Dec"};

    private static final String DAY = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
    private static final String LONG_DAY = "(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
    private static final String MONTH = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
    private static final String TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
    private static final Pattern IMF_FIXDATE =
            Pattern.compile(DAY + ", (\\d{2}) " + MONTH + " (\\d{4}) " + TIME + " GMT");
    private static final Pattern RFC_850 =
            Pattern.compile(LONG_DAY + ", (\\d{2})-" + MONTH + "-(\\d{2}) " + TIME + " GMT");
    private static final Pattern ASCTIME =
            Pattern.compile(DAY + " " + MONTH + " ([ \\d]\\d) " + TIME + " (\\d{4})");

    /** The last date written: Date goes on every response and changes once a second. */
    private static volatile Formatted last = new Formatted(Long.MIN_VALUE, "");

    private record Formatted(long epochSecond, String text) {}

    private HttpDates() {}

    /** IMF-fixdate of the second {@code instant} falls in (HTTP-dates have no fractions). */
    public static String format(Instant instant) {
        long second = instant.getEpochSecond();
        Formatted cached = last;
        if (cached.epochSecond() == second) {
            return cached.text();
        }
        String text = imfFixdate(second);
        last = new Formatted(second, text);
        return text;
    }

    private static String imfFixdate(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        int year = t.getYear();
        if (year < 0 || year > 9999) {
            throw new IllegalArgumentException("an HTTP-date has a four-digit year, not " + year);
        }
        StringBuilder b = new StringBuilder(LENGTH)
                .append(DAYS[t.getDayOfWeek().ordinal()]).append(", ");
        twoDigits(b, t.getDayOfMonth()).append(' ').append(MONTHS[t.getMonthValue() - 1]).append(' ');
        twoDigits(twoDigits(b, year / 100), year % 100).append(' ');
        twoDigits(b, t.getHour()).append(':');
        twoDigits(b, t.getMinute()).append(':');
        return twoDigits(b, t.getSecond()).append(" GMT").toString();
    }

    private static StringBuilder twoDigits(StringBuilder b, int value) {
        return b.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }

    /**
     * The instant of an HTTP-date in any of the three forms; empty for anything else (which callers ignore, as
     * RFC 9110 asks). {@code now} places an RFC 850 two-digit year.
     */
    public static Optional<Instant> parse(String value, Instant now) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.strip();
        Matcher m = IMF_FIXDATE.matcher(v);
        if (m.matches()) {
            return instant(index(DAYS, m.group(1)), Integer.parseInt(m.group(4)), m.group(3),
                    Integer.parseInt(m.group(2)), m.group(5), m.group(6), m.group(7));
        }
        m = RFC_850.matcher(v);
        if (m.matches()) {
            int nowYear = now.atOffset(ZoneOffset.UTC).getYear();
            int year = nowYear / 100 * 100 + Integer.parseInt(m.group(4));
            // The year with these two digits within 50 years of now: RFC 9110 puts one that looks more than 50
            // years ahead in the past century, and one more than 50 years back is in the next (read in 2099,
            // "00" is 2100, not 2000).
            if (year > nowYear + 50) {
                year -= 100;
            } else if (year <= nowYear - 50) {
                year += 100;
            }
            return instant(index(LONG_DAYS, m.group(1)), year, m.group(3), Integer.parseInt(m.group(2)),
                    m.group(5), m.group(6), m.group(7));
        }
        m = ASCTIME.matcher(v);
        if (m.matches()) {
            return instant(index(DAYS, m.group(1)), Integer.parseInt(m.group(7)), m.group(2),
                    Integer.parseInt(m.group(3).strip()), m.group(4), m.group(5), m.group(6));
        }
        return Optional.empty();
    }

    private static Optional<Instant> instant(int dayOfWeek, int year, String month, int dayOfMonth,
                                             String hour, String minute, String second) {
        try {
            LocalDateTime t = LocalDateTime.of(year, index(MONTHS, month) + 1, dayOfMonth,
                    Integer.parseInt(hour), Integer.parseInt(minute), Integer.parseInt(second));
            return t.getDayOfWeek().ordinal() == dayOfWeek ? Optional.of(t.toInstant(ZoneOffset.UTC)) : Optional.empty();
        } catch (DateTimeException e) {
            // 30 February, hour 24, second 60: not a date at all.
            return Optional.empty();
        }
    }

    private static int index(String[] names, String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }
}
