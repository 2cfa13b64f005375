package io.strand.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class or method that starts child JVMs or kills processes (brokers as child JVMs
 * killed with {@code kill -9}, crash tests, launch scripts), that waits on the broker's own
 * timers for tens of seconds (tombstone retention, repeated cleanings), or that runs real clients'
 * groups end to end or through a broker stopped mid-stream (the KIP-848 and share consumers'
 * integration tests, share state across a leader stop and lock expiry, Kafka's group tools; their
 * protocols are covered in the loop by raw per-version tests): JUnit tag
 * {@value #TAG}.
 * {@code bin/strand-test} runs every test; {@code bin/strand-test --fast} leaves these out, with the
 * {@link SlowTest}s (surefire's {@code excludedGroups=system,slow}), for the developer loop.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Tag(SystemTest.TAG)
public @interface SystemTest {
    String TAG = "system";
}
