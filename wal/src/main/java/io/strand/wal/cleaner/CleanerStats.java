package io.strand.wal.cleaner;

/**
 * What one cleaning of one log did, for its log line and the cleaner's metrics.
 *
 * <p>Not thread-safe: filled by one cleaner thread.
 */
final class CleanerStats {
    final long startNs = System.nanoTime();
    long mapDoneNs;
    long endNs;
    long mapBytesRead;
    long mapRecordsRead;
    /** Bytes of log read for the rewrite (Kafka's "MB of log processed"; the key map's reads are apart). */
    long bytesRead;

    long bytesWritten;
    long recordsRead;
    long recordsRetained;
    double mapUtilization;

    double elapsedSeconds() {
        return (endNs - startNs) / 1e9;
    }

    double mapSeconds() {
        return (mapDoneNs - startNs) / 1e9;
    }
}
