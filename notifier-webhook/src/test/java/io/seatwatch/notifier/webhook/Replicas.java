package io.seatwatch.notifier.webhook;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

/** Notifier replicas started in this JVM, each with its own Reactor Netty resources so that one can be killed alone. */
final class Replicas implements AutoCloseable {

    private final List<ConfigurableApplicationContext> running = new ArrayList<>();
    private final Map<String, String> settings = new LinkedHashMap<>();

    /** @param overrides {@code name=value} settings that replace or add to the defaults here */
    Replicas(String prefix, TestBroker broker, String... overrides) {
        Stream.concat(Stream.of(
                "server.port=0",
                "seatwatch.redis.key-prefix=" + prefix,
                "spring.rabbitmq.virtual-host=" + broker.name(),
                "seatwatch.webhooks.secret-key=" + NotifierTestSupport.KEY,
                "seatwatch.webhooks.allow-http=true",
                "seatwatch.webhooks.allowed-cidrs=127.0.0.1/32",
                "seatwatch.webhooks.poll-interval=50ms",
                "seatwatch.webhooks.attempt-timeout=1s",
                "seatwatch.webhooks.body-timeout=500ms",
                "seatwatch.webhooks.lease-ttl=3s"), Stream.of(overrides))
                .forEach(s -> settings.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1)));
    }

    ConfigurableApplicationContext start() {
        // Command-line arguments: they outrank application.yml.
        String[] args = settings.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(NotifierWebhookApplication.class)
                .registerShutdownHook(false)
                .initializers(ctx -> ((GenericApplicationContext) ctx).registerBean("isolatedReactorResources",
                        ReactorResourceFactory.class, () -> {
                            ReactorResourceFactory resources = new ReactorResourceFactory();
                            resources.setUseGlobalResources(false);
                            return resources;
                        }))
                .run(args);
        running.add(context);
        return context;
    }

    Stream<ConfigurableApplicationContext> running() {
        return running.stream();
    }

    void kill(ConfigurableApplicationContext replica) {
        replica.close();
        running.remove(replica);
    }

    @Override
    public void close() {
        running.forEach(ConfigurableApplicationContext::close);
        running.clear();
    }
}
