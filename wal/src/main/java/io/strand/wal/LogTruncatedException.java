package io.strand.wal;

import org.apache.kafka.common.errors.KafkaStorageException;

/**
 * Completes an {@link PartitionLog#awaitDurable} future whose offset was truncated away before it became durable.
 * A {@link KafkaStorageException}, so {@code Errors.forException} maps it to KAFKA_STORAGE_ERROR (retriable).
 */
public final class LogTruncatedException extends KafkaStorageException {
    private static final long serialVersionUID = 1L;

    public LogTruncatedException(String message) {
        super(message);
    }
}
