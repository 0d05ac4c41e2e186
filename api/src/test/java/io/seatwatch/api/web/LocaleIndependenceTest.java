package io.seatwatch.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.seatwatch.api.security.Caller;
import io.seatwatch.api.security.Role;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Problem types and the words of codes are ASCII identifiers that clients match on: the same bytes whatever the
 * JVM's default locale. Turkish is the classic trap: there "I".toLowerCase() is a dotless "ı".
 */
class LocaleIndependenceTest {

    private Locale saved;

    @BeforeEach
    void turkish() {
        saved = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
        assertThat("URI".toLowerCase()).as("the default locale is Turkish").isEqualTo("urı");
    }

    @AfterEach
    void restore() {
        Locale.setDefault(saved);
    }

    @ParameterizedTest
    @CsvSource({"URI_TOO_LONG, uri-too-long", "NOT_IMPLEMENTED, not-implemented",
            "INTERNAL_SERVER_ERROR, internal-server-error", "REQUEST_HEADER_FIELDS_TOO_LARGE, request-header-fields-too-large",
            "UNSUPPORTED_MEDIA_TYPE, unsupported-media-type", "NOT_ACCEPTABLE, not-acceptable"})
    void problemTypesFromHttpStatusesAreAscii(HttpStatus status, String code) {
        Problem problem = new ProblemHandler(JsonMapper.builder().build()).toProblem(new ResponseStatusException(status));
        assertThat(problem.code()).isEqualTo(code);
    }

    @Test
    void roleNamesInDetailsAreTheClaimsNames() {
        Caller student = new Caller("s1", Set.of(Role.STUDENT), null, Instant.parse("2026-12-01T00:00:00Z"));
        assertThatThrownBy(() -> student.require(Role.REGISTRAR)).isInstanceOf(Problem.class)
                .hasMessageContaining("This requires the registrar role.");
        assertThatThrownBy(() -> student.require(Role.INSTRUCTOR)).isInstanceOf(Problem.class)
                .hasMessageContaining("This requires the instructor role.");
    }
}
