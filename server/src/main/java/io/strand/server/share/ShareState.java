package io.strand.server.share;

import java.util.List;

/**
 * The persisted state of one share partition, as ReadShareGroupState answers and WriteShareGroupState
 * carries it: the state epoch (bumped by offset resets), the data partition's leader epoch of the
 * writer, the share-partition start offset and the in-flight ranges that are not "available, never
 * delivered", in offset order. {@link #UNINITIALIZED_START_OFFSET} means no state exists. Immutable.
 */
public record ShareState(
        int stateEpoch, int leaderEpoch, long startOffset, int deliveryCompleteCount, List<Batch> batches) {
    public static final long UNINITIALIZED_START_OFFSET = -1;

    /** Offsets {@code firstOffset..lastOffset} in {@code state} (AVAILABLE, ACKNOWLEDGED or ARCHIVED), delivered {@code deliveryCount} times. */
    public record Batch(long firstOffset, long lastOffset, RecordState state, int deliveryCount) {}

    public static ShareState uninitialized() {
        return new ShareState(0, -1, UNINITIALIZED_START_OFFSET, -1, List.of());
    }

    public boolean initialized() {
        return startOffset != UNINITIALIZED_START_OFFSET;
    }
}
