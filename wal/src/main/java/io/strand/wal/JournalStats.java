package io.strand.wal;

/**
 * What the write-ahead journals of a broker hold, summed over its log directories (all zero without a journal):
 *
 * @param files journal files in use (the current one and those a log's entries past its checkpoint still need)
 * @param spareFiles released files kept to be reused as the next files
 * @param bytes disk space of both (their preallocated sizes)
 * @param uncheckpointedBytes journal bytes from the oldest position a log still needs to the end: about what a
 *     restart after a crash would read back
 */
public record JournalStats(long files, long spareFiles, long bytes, long uncheckpointedBytes) {
    public static final JournalStats NONE = new JournalStats(0, 0, 0, 0);

    JournalStats plus(JournalStats o) {
        return new JournalStats(
                files + o.files,
                spareFiles + o.spareFiles,
                bytes + o.bytes,
                uncheckpointedBytes + o.uncheckpointedBytes);
    }
}
