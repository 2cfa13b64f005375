/**
 * Cluster metadata held in ZooKeeper: the protobuf model, a versioned store where every write of an
 * existing znode is a compare-and-set, the one topic-creation path, broker registration and the
 * metadata cache that brokers serve from.
 *
 * <p>Threading: {@link io.strand.coordinator.MetadataStore} calls block on ZooKeeper and must not
 * run on a network event loop; {@link io.strand.coordinator.MetadataCache} is read lock-free from
 * any thread and updated by one Curator event thread.
 */
package io.strand.coordinator;
