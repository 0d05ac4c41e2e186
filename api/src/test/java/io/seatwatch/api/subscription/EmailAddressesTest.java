package io.seatwatch.api.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EmailAddressesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a@b.co", "Ada.Lovelace@Example.EDU", "o'neil+tag@sub.example-1.edu",
            "!#$%&'*+/=?^_`{|}~-@x.io", "user@xn--bcher-kva.example", "1@2.example", "a.b.c@d.e.f.gh"})
    void acceptsDotAtomAddresses(String email) {
        assertThat(EmailAddresses.problem(email)).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', value = {
            "''                   | must be an address of the form local@domain",
            "plain                | must be an address of the form local@domain",
            "@example.com         | must be an address of the form local@domain",
            "ada@                 | must be an address of the form local@domain",
            ".ada@example.com     | local part must be ASCII",
            "ada.@example.com     | local part must be ASCII",
            "a..da@example.com    | local part must be ASCII",
            "a da@example.com     | local part must be ASCII",
            "a@da@example.com     | local part must be ASCII",
            "\"ada\"@example.com  | local part must be ASCII",
            "adä@example.com      | local part must be ASCII",
            "(c)ada@example.com   | local part must be ASCII",
            "ada@example          | domain must contain a dot",
            "ada@example.         | domain must be dot-separated labels",
            "ada@.example.com     | domain must be dot-separated labels",
            "ada@example..com     | domain must be dot-separated labels",
            "ada@-example.com     | domain must be dot-separated labels",
            "ada@example-.com     | domain must be dot-separated labels",
            "ada@ex_ample.com     | domain must be dot-separated labels",
            "ada@exämple.com      | domain must be dot-separated labels",
            "ada@[127.0.0.1]      | domain must be dot-separated labels",
            "ada@127.0.0.1        | domain must not end in a numeric label",
            "ada@example.com      | NONE"})
    void refusesWhatIsNotADotAtomAtAnLdhDomain(String email, String problem) {
        if (problem.equals("NONE")) {
            assertThat(EmailAddresses.problem(email)).isEmpty();
        } else {
            assertThat(EmailAddresses.problem(email)).get().asString().startsWith(problem);
        }
    }

    @Test
    void refusesControlCharactersAboveAllLineBreaks() {
        for (String email : new String[] {"ada@example.com\r\nBcc: all@example.com", "ada@example.com\n", "ada\t@example.com",
                "ada@exam\u0000ple.com", "ada\u007f@example.com", "ada\u0085@example.com", "ada@example.com\u2028"}) {
            assertThat(EmailAddresses.problem(email)).as(email).contains("must not contain control characters or line breaks");
        }
    }

    @Test
    void enforcesTheRfc5321Limits() {
        String local64 = "l".repeat(64);
        String label63 = "d".repeat(63);
        assertThat(EmailAddresses.problem(local64 + "@example.com")).isEmpty();
        assertThat(EmailAddresses.problem(local64 + "l@example.com")).contains("local part must be at most 64 characters (RFC 5321)");
        assertThat(EmailAddresses.problem("ada@" + label63 + ".com")).isEmpty();
        assertThat(EmailAddresses.problem("ada@" + label63 + "d.com")).contains("domain labels must be at most 63 characters");

        // 64 + 1 + 189 = 254 characters: the longest address allowed.
        String domain189 = label63 + "." + label63 + "." + "d".repeat(57) + ".com";
        assertThat(domain189).hasSize(189);
        String longest = local64 + "@" + domain189;
        assertThat(longest).hasSize(254);
        assertThat(EmailAddresses.problem(longest)).isEmpty();
        assertThat(EmailAddresses.problem("l" + longest)).contains("must be at most 254 characters (RFC 5321)");
    }
}
