package io.strand.tools.check;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the Kafka clients' warnings off the terminal during a check: a run that kills brokers makes
 * the producer and consumer warn about every retry, and the check reports what matters itself. With
 * {@code --verbose} (the root logger at INFO or below) nothing is changed. Stateless; the levels are
 * process-wide.
 */
final class CheckLogging {
    private CheckLogging() {}

    /**
     * Sets the {@code org.apache.kafka} loggers to ERROR unless running verbose.
     *
     * @return what puts the level back (for in-process runs such as tests)
     */
    static Runnable quietClients() {
        if (!(LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root)
                || !root.getEffectiveLevel().isGreaterOrEqual(Level.WARN)) {
            return () -> {};
        }
        if (!(LoggerFactory.getLogger("org.apache.kafka") instanceof Logger kafka)) {
            return () -> {};
        }
        Level before = kafka.getLevel();
        kafka.setLevel(Level.ERROR);
        return () -> kafka.setLevel(before);
    }
}
