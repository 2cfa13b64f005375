package io.strand.wal;

import org.apache.kafka.common.KafkaException;

/** Thrown by {@link PartitionLog#appendAsFollower} when the batches do not start at the log end offset. */
public final class UnexpectedAppendOffsetException extends KafkaException {
    private static final long serialVersionUID = 1L;
    private final long firstOffset;
    private final long lastOffset;

    public UnexpectedAppendOffsetException(String message, long firstOffset, long lastOffset) {
        super(message);
        this.firstOffset = firstOffset;
        this.lastOffset = lastOffset;
    }

    public long firstOffset() {
        return firstOffset;
    }

    public long lastOffset() {
        return lastOffset;
    }
}
