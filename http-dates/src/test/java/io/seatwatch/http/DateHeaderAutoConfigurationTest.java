package io.seatwatch.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class DateHeaderAutoConfigurationTest {

    private static final AutoConfigurations CONFIG = AutoConfigurations.of(DateHeaderAutoConfiguration.class);

    @Configuration
    static class PinnedClock {
        @Bean
        Clock pinned() {
            return Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
        }
    }

    @Test
    void aReactiveAppGetsTheSystemClockInUtcAndTheDateFilter() {
        new ReactiveWebApplicationContextRunner().withConfiguration(CONFIG).run(context -> {
            assertThat(context.getBean(Clock.class).getZone()).isEqualTo(ZoneOffset.UTC);
            assertThat(context.getBean(Clock.class)).isEqualTo(Clock.systemUTC());
            assertThat(context).hasSingleBean(DateHeaderFilter.class);
        });
    }

    @Test
    void anAppsOwnClockWins() {
        new ReactiveWebApplicationContextRunner().withConfiguration(CONFIG).withUserConfiguration(PinnedClock.class)
                .run(context -> assertThat(context.getBean(Clock.class).instant())
                        .isEqualTo(Instant.parse("2026-12-01T00:00:00Z")));
    }

    @Test
    void withoutAWebServerThereIsAClockButNoFilter() {
        new ApplicationContextRunner().withConfiguration(CONFIG).run(context -> {
            assertThat(context).hasSingleBean(Clock.class);
            assertThat(context).doesNotHaveBean(DateHeaderFilter.class);
        });
    }

    @Test
    void theAutoConfigurationIsRegistered() throws Exception {
        try (var in = getClass().getResourceAsStream(
                "/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")) {
            assertThat(new String(in.readAllBytes())).contains(DateHeaderAutoConfiguration.class.getName());
        }
    }
}
