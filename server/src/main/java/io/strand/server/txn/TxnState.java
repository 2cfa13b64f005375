package io.strand.server.txn;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Kafka's transaction states, with their names (what DescribeTransactions and ListTransactions show
 * and filter by) and the states each may be entered from ({@code TransactionState} in Kafka).
 *
 * <ul>
 *   <li>{@link #EMPTY}: no transaction (after InitProducerId, or once one completed and a new
 *       InitProducerId came);
 *   <li>{@link #ONGOING}: partitions or a group's offsets were added;
 *   <li>{@link #PREPARE_COMMIT} / {@link #PREPARE_ABORT}: EndTxn (or a timeout, or a new producer
 *       instance) decided; markers are being written to the partitions;
 *   <li>{@link #COMPLETE_COMMIT} / {@link #COMPLETE_ABORT}: every partition has its marker;
 *   <li>{@link #DEAD}: the transactional id is being removed (expiry); never written;
 *   <li>{@link #PREPARE_EPOCH_FENCE}: the epoch is being bumped to fence a producer whose ongoing
 *       transaction is aborted; held only as a pending state, written as PrepareAbort.
 * </ul>
 */
public enum TxnState {
    EMPTY(0, "Empty", true),
    ONGOING(1, "Ongoing", false),
    PREPARE_COMMIT(2, "PrepareCommit", false),
    PREPARE_ABORT(3, "PrepareAbort", false),
    COMPLETE_COMMIT(4, "CompleteCommit", true),
    COMPLETE_ABORT(5, "CompleteAbort", true),
    DEAD(6, "Dead", false),
    PREPARE_EPOCH_FENCE(7, "PrepareEpochFence", false);

    final int id;
    private final String kafkaName;
    private final boolean expirationAllowed;

    TxnState(int id, String kafkaName, boolean expirationAllowed) {
        this.id = id;
        this.kafkaName = kafkaName;
        this.expirationAllowed = expirationAllowed;
    }

    public String kafkaName() {
        return kafkaName;
    }

    /** Whether a transactional id in this state may expire (no transaction in progress). */
    boolean expirationAllowed() {
        return expirationAllowed;
    }

    /** The states this state may be entered from. */
    Set<TxnState> validPrevious() {
        return switch (this) {
            case EMPTY -> EnumSet.of(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
            case ONGOING -> EnumSet.of(ONGOING, EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
            case PREPARE_COMMIT -> EnumSet.of(ONGOING);
            case PREPARE_ABORT -> EnumSet.of(ONGOING, PREPARE_EPOCH_FENCE);
            case COMPLETE_COMMIT -> EnumSet.of(PREPARE_COMMIT);
            case COMPLETE_ABORT -> EnumSet.of(PREPARE_ABORT);
            case DEAD -> EnumSet.of(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
            case PREPARE_EPOCH_FENCE -> EnumSet.of(ONGOING);
        };
    }

    boolean isPrepare() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }

    static Optional<TxnState> byKafkaName(String name) {
        for (TxnState s : values()) {
            if (s.kafkaName.equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    static TxnState byId(int id) {
        for (TxnState s : values()) {
            if (s.id == id) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown transaction state id " + id);
    }
}
