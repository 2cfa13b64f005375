package io.strand.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class or method that starts child JVMs or kills processes (brokers as child JVMs
 * killed with {@code kill -9}, crash tests, launch scripts), or that waits on the broker's own
 * timers for tens of seconds (tombstone retention, repeated cleanings): JUnit tag {@value #TAG}.
 * {@code bin/strand-test} runs every test; {@code bin/strand-test --fast} leaves these out
 * (surefire's {@code excludedGroups=system}) for the developer loop.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Tag(SystemTest.TAG)
public @interface SystemTest {
    String TAG = "system";
}
