/**
 * The partition log (write-ahead log) of a Strand broker: segments of Kafka v2 record batches stored byte-for-byte,
 * sparse memory-mapped offset and time indexes, crash recovery, retention, checkpoints, the leader-epoch cache, and
 * fsync-before-ack with group commit.
 *
 * <p>Entry points: {@link io.strand.wal.LogManager} (all logs of a broker) and {@link io.strand.wal.PartitionLog}
 * (one partition). Threading: appends and truncations of one partition are serialised by that partition's log;
 * reads never take the log's lock; fsyncs run on a small pool of flusher threads shared by all partitions; retention,
 * checkpoints and delayed deletions run on one scheduler thread. Errors are Kafka's exception types
 * ({@code org.apache.kafka.common.errors}) so the broker can map them with {@code Errors.forException}.
 *
 * <p>This package knows nothing of sockets, requests or ZooKeeper.
 */
package io.strand.wal;
