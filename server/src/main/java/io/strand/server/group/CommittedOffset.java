package io.strand.server.group;

/**
 * A committed offset of one partition for one group.
 *
 * @param metadata          the client's string, possibly null
 * @param expireTimestampMs -1 unless the commit (OffsetCommit v2-4) asked for its own retention
 */
public record CommittedOffset(
        long offset, int leaderEpoch, String metadata, long commitTimestampMs, long expireTimestampMs) {}
