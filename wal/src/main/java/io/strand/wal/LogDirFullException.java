package io.strand.wal;

import org.apache.kafka.common.errors.KafkaStorageException;

/**
 * An append refused because it would take its log directory below the free-space floor; nothing was
 * written and the log stays online. A KAFKA_STORAGE_ERROR to clients, which retry.
 */
public final class LogDirFullException extends KafkaStorageException {
    public LogDirFullException(String message) {
        super(message);
    }
}
