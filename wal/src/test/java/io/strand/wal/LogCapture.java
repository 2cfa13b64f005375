package io.strand.wal;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Captures what the WAL logs, for tests that check warnings. */
final class LogCapture implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("io.strand.wal");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture() {
        appender.start();
        logger.addAppender(appender);
    }

    List<String> messages(String level) {
        synchronized (appender.list) {
            return appender.list.stream()
                    .filter(e -> e.getLevel().toString().equals(level))
                    .map(ILoggingEvent::getFormattedMessage)
                    .collect(Collectors.toList());
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
