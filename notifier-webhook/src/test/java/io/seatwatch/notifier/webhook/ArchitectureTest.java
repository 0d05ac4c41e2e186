package io.seatwatch.notifier.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Moving the notifier to another destination, vhost or broker is a configuration change (docs/architecture.md,
 * section "Binder types out of business code").
 */
class ArchitectureTest {

    /**
     * Only package {@code broker} (a readiness check on the Rabbit connection factory, active only when that
     * binder is there) may name RabbitMQ types.
     */
    @Test
    void theNotifiersCodeUsesNoRabbitMqTypes() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            sources = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.startsWith(Path.of("src/main/java/io/seatwatch/notifier/webhook/broker"))).toList();
        }
        assertThat(sources).hasSizeGreaterThan(10);
        List<String> offenders = sources.stream().filter(p -> {
            try {
                String text = Files.readString(p);
                return text.contains("org.springframework.amqp") || text.contains("com.rabbitmq")
                        || text.contains("org.springframework.cloud.stream.binder.rabbit");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).map(Path::toString).toList();
        assertThat(offenders).isEmpty();
    }
}
