package io.strand.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks an in-process test class or method that takes about 5 s or more on 2 cores and whose area a
 * quicker test in the same module still covers: other clients' runs (kcat, kafkajs, librdkafka,
 * Kafka 3.9's Java client), the browser test, load held for seconds (quota enforcement, a reassignment
 * or 100 partitions under load, re-authentication over several sessions), ZooKeeper's leader killed,
 * thousands of partitions, end-to-end runs of the tools: JUnit tag {@value #TAG}.
 * {@code bin/strand-test} runs every test; {@code bin/strand-test --fast} leaves these out, with the
 * {@link SystemTest}s (surefire's {@code excludedGroups=system,slow}), to stay under 3 minutes.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Tag(SlowTest.TAG)
public @interface SlowTest {
    String TAG = "slow";
}
