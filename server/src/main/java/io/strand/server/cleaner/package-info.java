/**
 * The broker's side of log compaction that operators see: {@link io.strand.server.cleaner.CleanerStatusPublisher}
 * publishes the log cleaner's view of every compacted log this broker holds to its ephemeral znode
 * {@code /log_cleaner/<broker id>} (the cleaner itself is {@code io.strand.wal.cleaner.LogCleaner}).
 *
 * <p>Threading: the publisher reads the cleaner and writes ZooKeeper on its own single thread.
 */
package io.strand.server.cleaner;
