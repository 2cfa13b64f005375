/**
 * The partitions this broker hosts and its role for each (leader or follower at a leader epoch),
 * driven by the metadata cache; the high watermark; and the waits that complete when it moves
 * (acks=all produce, long-poll fetch).
 *
 * <p>Threading: role changes are applied in ZooKeeper order on one "replica-state" thread; appends
 * and reads run on request-handler threads, serialised per partition by the log; waiters are
 * completed on whichever thread moves the high watermark: a request-handler thread (an append, a
 * follower's fetch, or the partition's durable listener, which the WAL runs on the request pool
 * after its fsyncs) or the replica-state thread — never a WAL flusher thread. Durable-only waits
 * (acks=1 in durable mode) complete on the flusher that fsynced them.
 */
package io.strand.server.replica;
