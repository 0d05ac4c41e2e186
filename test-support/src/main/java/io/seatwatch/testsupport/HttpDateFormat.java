package io.seatwatch.testsupport;

import java.util.regex.Pattern;

/** What an HTTP-date Seatwatch writes must look like: RFC 9110's IMF-fixdate, a two-digit day included. */
public final class HttpDateFormat {

    public static final Pattern IMF_FIXDATE = Pattern.compile("^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} "
            + "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d{2}:\\d{2}:\\d{2} GMT$");

    private HttpDateFormat() {}
}
