package io.strand.wal;

/**
 * Answer to a ListOffsets lookup.
 *
 * @param timestamp   the record's timestamp (-1 for the special EARLIEST/LATEST lookups)
 * @param offset      the offset
 * @param leaderEpoch the partition leader epoch of the batch holding the offset, or -1 if unknown
 */
public record TimestampOffset(long timestamp, long offset, int leaderEpoch) {}
