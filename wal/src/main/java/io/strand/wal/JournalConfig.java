package io.strand.wal;

/**
 * Settings of the write-ahead journal ({@link WriteAheadJournal}): whether the logs of a log directory make their
 * durable-mode appends durable through one journal per directory instead of fsyncing each partition's segment.
 *
 * @param enabled              {@code strand.wal.journal.enable}: journal the appends (false: every partition log fsyncs its own segment; the broker's default is true, this library's {@link LogManagerConfig#defaults()} false)
 * @param fileBytes            {@code strand.wal.journal.file.bytes}: size of one journal file, preallocated and zero-filled (64 MiB)
 * @param checkpointIntervalMs {@code strand.wal.journal.checkpoint.interval.ms}: how often the partition segments are fsynced so that older journal files can go (30 s)
 * @param checkpointBytes      {@code strand.wal.journal.checkpoint.bytes}: journal bytes written since the last checkpoint that start one early (512 MiB)
 */
public record JournalConfig(boolean enabled, int fileBytes, long checkpointIntervalMs, long checkpointBytes) {
    public static final int DEFAULT_FILE_BYTES = 64 * 1024 * 1024;
    public static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 30_000L;
    public static final long DEFAULT_CHECKPOINT_BYTES = 512L * 1024 * 1024;

    public static final JournalConfig DISABLED =
            new JournalConfig(false, DEFAULT_FILE_BYTES, DEFAULT_CHECKPOINT_INTERVAL_MS, DEFAULT_CHECKPOINT_BYTES);
    public static final JournalConfig ENABLED =
            new JournalConfig(true, DEFAULT_FILE_BYTES, DEFAULT_CHECKPOINT_INTERVAL_MS, DEFAULT_CHECKPOINT_BYTES);

    public JournalConfig {
        if (fileBytes < 1024 * 1024) throw new IllegalArgumentException("journal file bytes must be at least 1 MiB");
        if (checkpointIntervalMs < 1) throw new IllegalArgumentException("checkpoint interval must be positive");
        if (checkpointBytes < fileBytes)
            throw new IllegalArgumentException("checkpoint bytes must be at least one journal file");
    }
}
