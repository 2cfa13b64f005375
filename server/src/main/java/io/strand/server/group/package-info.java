/**
 * Consumer groups (the classic protocol) and committed offsets, stored as records in the internal
 * {@code __consumer_offsets} topic. The coordinator of a group is the leader of partition
 * {@code abs(groupId.hashCode()) % offsets.topic.num.partitions}; see {@link io.strand.server.group.GroupCoordinator}.
 *
 * <p>Threading: each {@code __consumer_offsets} partition this broker leads is a
 * {@link io.strand.server.group.CoordinatorShard} whose groups are touched only by tasks run one at a time
 * on that shard's serial executor, so group state needs no locks. Request threads only submit tasks
 * and get futures back; waits (JoinGroup until the rebalance completes, writes until every in-sync
 * replica has them) are futures completed by events or by timers on the broker's scheduler.
 */
package io.strand.server.group;
