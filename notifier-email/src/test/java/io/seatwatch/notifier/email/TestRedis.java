package io.seatwatch.notifier.email;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The real Redis under a test class's own key prefix: {@link #before} wipes the prefix at the first test,
 * {@link #after} (from {@code @AfterAll}, while the context is still open) once more. Also reads counters.
 */
final class TestRedis {

    private final String prefix;
    private StringRedisTemplate redis;

    TestRedis(String prefix) {
        this.prefix = prefix;
    }

    synchronized void before(StringRedisTemplate template) {
        if (redis == null) {
            redis = template;
            wipe(template, prefix);
        }
    }

    synchronized void after() {
        if (redis != null) {
            wipe(redis, prefix);
            redis = null;
        }
    }

    static void wipe(StringRedisTemplate redis, String prefix) {
        if (!prefix.contains("test")) {
            throw new IllegalStateException("refusing to wipe a non-test prefix " + prefix);
        }
        List<String> keys = new ArrayList<>();
        try (Cursor<String> cursor = redis.scan(ScanOptions.scanOptions().match(prefix + "*").count(1000).build())) {
            cursor.forEachRemaining(keys::add);
        }
        if (!keys.isEmpty()) {
            redis.unlink(keys);
        }
    }

    /** A counter's value, 0 when it was never registered. */
    static double count(MeterRegistry meters, String name, String... tags) {
        Counter counter = meters.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }
}
