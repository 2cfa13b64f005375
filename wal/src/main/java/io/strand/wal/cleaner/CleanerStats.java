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

    /** Log bytes processed: the dirty section read for the map and the whole cleaned range read for the rewrite. */
    long bytesProcessed() {
        return bytesRead;
    }
}
