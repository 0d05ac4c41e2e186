package io.seatwatch.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * The test class's application context is closed after the class, and closes at once. Every api test class has
 * a context of its own (its own key prefix, or its own security mode), so the context cache never reuses one:
 * kept, some 19 contexts closed one after another in the fork's shutdown hook, past surefire's 30 s. No 20 s
 * graceful wait per phase and no 2 s quiet period on the event loops either.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@DirtiesContext
@TestPropertySource(properties = {
        "server.shutdown=immediate",
        "spring.lifecycle.timeout-per-shutdown-phase=5s",
        "spring.reactor.netty.shutdown-quiet-period=0s"})
public @interface ClosedAfterClass {}
