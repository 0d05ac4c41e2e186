package io.seatwatch.api.web;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Month;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP-dates (RFC 9110 section 5.6.7): IMF-fixdate is what we send; IMF-fixdate, RFC 850 (two-digit year,
 * read as the year within 50 years of now) and asctime (space-padded day) are all accepted. Spring's own
 * parsing misses the last two cases, so this is written out.
 */
public final class HttpDates {

    private static final String DAY = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
    private static final String LONG_DAY = "(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
    private static final String MONTH = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
    private static final String TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
    private static final Pattern IMF = Pattern.compile(DAY + ", (\\d{2}) " + MONTH + " (\\d{4}) " + TIME + " GMT");
    private static final Pattern RFC850 = Pattern.compile(LONG_DAY + ", (\\d{2})-" + MONTH + "-(\\d{2}) " + TIME + " GMT");
    private static final Pattern ASCTIME = Pattern.compile(DAY + " " + MONTH + " ([ \\d]\\d) " + TIME + " (\\d{4})");
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.RFC_1123_DATE_TIME;

    private HttpDates() {}

    public static String format(Instant instant) {
        return FORMAT.format(ZonedDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    /** The instant of a valid HTTP-date; empty for anything else (which callers ignore). */
    public static Optional<Instant> parse(String value, Instant now) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.trim();
        try {
            Matcher m = IMF.matcher(v);
            if (m.matches()) {
                return build(m.group(1), Integer.parseInt(m.group(4)), m.group(3), Integer.parseInt(m.group(2)),
                        m.group(5), m.group(6), m.group(7));
            }
            m = RFC850.matcher(v);
            if (m.matches()) {
                int yy = Integer.parseInt(m.group(4));
                int year = now.atZone(ZoneOffset.UTC).getYear() / 100 * 100 + yy;
                // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
                if (year > now.atZone(ZoneOffset.UTC).getYear() + 50) {
                    year -= 100;
                }
                return build(m.group(1).substring(0, 3), year, m.group(3), Integer.parseInt(m.group(2)),
                        m.group(5), m.group(6), m.group(7));
            }
            m = ASCTIME.matcher(v);
            if (m.matches()) {
                return build(m.group(1), Integer.parseInt(m.group(7)), m.group(2), Integer.parseInt(m.group(3).trim()),
                        m.group(4), m.group(5), m.group(6));
            }
        } catch (RuntimeException e) {
            // an impossible date (Feb 30, hour 25...) is not a valid HTTP-date
        }
        return Optional.empty();
    }

    private static Optional<Instant> build(String day, int year, String month, int dayOfMonth,
                                           String hour, String minute, String second) {
        Month mon = null;
        for (Month candidate : Month.values()) {
            if (candidate.getDisplayName(TextStyle.SHORT, Locale.ENGLISH).equals(month)) {
                mon = candidate;
            }
        }
        LocalDateTime time = LocalDateTime.of(LocalDate.of(year, mon, dayOfMonth),
                LocalTime.of(Integer.parseInt(hour), Integer.parseInt(minute), Integer.parseInt(second)));
        DayOfWeek actual = time.getDayOfWeek();
        if (!actual.getDisplayName(TextStyle.SHORT, Locale.ENGLISH).equals(day)) {
            return Optional.empty();
        }
        return Optional.of(time.toInstant(ZoneOffset.UTC));
    }
}
