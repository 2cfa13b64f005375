/**
 * The transaction coordinator (Kafka's classic transaction protocol, transaction version 1), with its
 * state as records in the internal {@code __transaction_state} topic. The coordinator of a
 * transactional id is the leader of partition {@code abs(transactionalId.hashCode()) %
 * transaction.state.log.num.partitions}; see {@link io.strand.server.txn.TransactionCoordinator}.
 *
 * <p>Parts, on the model of Kafka's transaction coordinator: {@link io.strand.server.txn.TransactionCoordinator}
 * routes each request to the {@link io.strand.server.txn.TxnShard} of the id's partition (which loads
 * and writes the partition's records) and runs {@link io.strand.server.txn.TxnOperations} there;
 * {@link io.strand.server.txn.TxnMetadata} holds one id's state and its transitions
 * ({@link io.strand.server.txn.TxnState}); {@link io.strand.server.txn.MarkerSender} sends the
 * WriteTxnMarkers requests that complete a commit or abort to the partitions' leaders.
 *
 * <p>Threading: each {@code __transaction_state} partition this broker leads is a shard whose ids are
 * touched only by tasks run one at a time on that shard's ordered executor ({@code txn-coordinator-*}
 * threads), so nothing needs a lock. Request threads submit tasks and get futures; marker sending runs
 * on one {@code txn-marker-sender-<me>-to-<leader>} thread per leader broker, whose answers hop back
 * onto the shard's executor; the periodic abort and expiry run on the broker's scheduler and hop too.
 */
package io.strand.server.txn;
