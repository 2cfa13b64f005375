package io.strand.wal;

/** One entry of the leader-epoch cache: the first offset written in {@code epoch}. */
public record EpochEntry(int epoch, long startOffset) {}
