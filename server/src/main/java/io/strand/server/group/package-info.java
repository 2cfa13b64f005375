/**
 * Consumer groups (the classic protocol) and committed offsets, stored as records in the internal
 * {@code __consumer_offsets} topic. The coordinator of a group is the leader of partition
 * {@code abs(groupId.hashCode()) % offsets.topic.num.partitions}; see {@link io.strand.server.group.GroupCoordinator}.
 *
 * <p>Parts, on the model of Kafka's group coordinator: {@link io.strand.server.group.GroupCoordinator}
 * routes each request to the {@link io.strand.server.group.CoordinatorShard} of the group's partition;
 * the shard loads and writes the partition's records and delegates to one manager per concern:
 * {@link io.strand.server.group.ClassicGroupManager} (with {@link io.strand.server.group.ClassicRebalance})
 * for classic membership, {@link io.strand.server.group.OffsetManager} for offsets. Groups of every
 * type implement {@link io.strand.server.group.Group}; a second type (KIP-848) adds its own group class
 * and manager beside the classic ones.
 *
 * <p>Threading: each {@code __consumer_offsets} partition this broker leads is a
 * {@link io.strand.server.group.CoordinatorShard} whose groups and offsets are touched only by tasks run
 * one at a time on that shard's ordered executor, so the shard and its managers need no locks. Request
 * threads only submit tasks and get futures back; waits (JoinGroup until the rebalance completes,
 * writes until every in-sync replica has them) are futures completed by events or by timers on the
 * broker's scheduler, which hop onto the shard's executor before they touch anything.
 */
package io.strand.server.group;
