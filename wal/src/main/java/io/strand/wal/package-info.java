/**
 * The partition log (write-ahead log) of a Strand broker: segments of Kafka v2 record batches stored byte-for-byte,
 * sparse memory-mapped offset and time indexes, the aborted-transaction index, crash recovery, retention,
 * checkpoints, the leader-epoch cache, and fsync-before-ack with group commit.
 *
 * <p>Entry points: {@link io.strand.wal.LogManager} (all logs of a broker) and {@link io.strand.wal.PartitionLog}
 * (one partition). Inside, one class per job: {@code LogLoader} opens and recovers a log, {@code LocalLog} holds its
 * state and makes every change under the log lock, {@code LogSegments} / {@code LogSegment} / {@code SegmentIndexes}
 * hold the files ({@code TransactionIndex}: the aborted transactions of a segment), {@code LogReader} reads,
 * {@code LogRetention} picks expired segments, {@code LogCheckpoints} writes the small files, and
 * {@code GroupCommit} makes appends durable. Every fsync goes through {@link io.strand.wal.SyncJournal}, a test hook
 * that journals what each fsync made durable so that tests can simulate a power cut (off unless a system property
 * names the journal).
 *
 * <p>Threading: appends and truncations of one partition are serialised by that partition's log lock; reads never
 * take it; the fsync passes run on a small pool of flusher threads shared by all partitions and do nothing but fsync,
 * publish the durable offset, complete durable futures and post notifications; durable listeners run on the executor
 * they were registered with; retention, checkpoints and delayed deletions run on one scheduler thread. Lock order:
 * the log lock, then group commit's durable lock, then leaf locks (epoch cache, index mappings); no callback runs
 * under a lock. Errors are Kafka's exception types ({@code org.apache.kafka.common.errors}) so the broker can map them
 * with {@code Errors.forException}.
 *
 * <p>This package knows nothing of sockets, requests or ZooKeeper.
 */
package io.strand.wal;
