package io.strand.wal;

import java.io.IOException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;

/**
 * The lifecycle state of one partition log — OPEN, or OFFLINE after an I/O error (reads still work), then CLOSED or
 * DELETED — with the error that took it offline, and the exceptions that tell a caller why the log cannot be used.
 *
 * <p>Thread-safety: the state is written under the owning log's lock ({@link LocalLog}), the failure before it;
 * both are read anywhere.
 */
final class LogLifecycle {
    enum State {
        OPEN,
        OFFLINE,
        CLOSED,
        DELETED
    }

    private final TopicPartition topicPartition;
    private volatile State state = State.OPEN;
    /** The I/O error that took the log offline; written before {@link #state}. */
    private volatile KafkaStorageException failure;

    LogLifecycle(TopicPartition topicPartition) {
        this.topicPartition = topicPartition;
    }

    State state() {
        return state;
    }

    /** Log lock held. */
    void set(State s) {
        state = s;
    }

    /** OPEN → OFFLINE after {@code ex} (log lock held); false when the log was not open. */
    boolean goOffline(KafkaStorageException ex) {
        if (state != State.OPEN) return false;
        failure = ex;
        state = State.OFFLINE;
        return true;
    }

    boolean isUsable() {
        return state == State.OPEN;
    }

    boolean isClosedOrDeleted() {
        State s = state;
        return s == State.CLOSED || s == State.DELETED;
    }

    void ensureUsable() {
        if (state != State.OPEN) throw unusable();
    }

    void ensureReadable() {
        if (isClosedOrDeleted()) throw unusable();
    }

    /** An I/O error of a read: the log was closed under the reader, or the read failed. */
    KafkaStorageException readFailure(IOException e) {
        if (isClosedOrDeleted()) return new KafkaStorageException("The log of " + topicPartition + " is closed", e);
        return new KafkaStorageException("Read from the log of " + topicPartition + " failed: " + e.getMessage(), e);
    }

    KafkaStorageException unusable() {
        State s = state;
        KafkaStorageException f = failure;
        if (f != null)
            return new KafkaStorageException(
                    "The log of " + topicPartition + " is offline after an I/O error: " + f.getMessage(), f);
        return new KafkaStorageException(
                "The log of " + topicPartition + (s == State.DELETED ? " was deleted" : " is closed"));
    }
}
