package io.strand.wal;

/**
 * Answer to OffsetsForLeaderEpoch: the largest epoch not above the requested one, and where it ends.
 * {@link #UNDEFINED} (-1, -1) when the log cannot say.
 */
public record EpochEndOffset(int epoch, long endOffset) {
    public static final EpochEndOffset UNDEFINED = new EpochEndOffset(-1, -1L);

    public boolean isUndefined() {
        return endOffset < 0;
    }
}
