/**
 * Administrative changes of the cluster metadata, one small class per operation: adding partitions,
 * marking a topic for deletion, topic and broker config overrides, and partition-reassignment
 * requests. Each reads the znodes it decides on with their versions and writes with
 * compare-and-set (or create-if-absent, or one {@code multi}); a lost race re-reads and decides
 * again. Requests that cannot be honoured fail with Kafka's {@code ApiException} subclasses, so the
 * broker and the tools report the same error codes Kafka does.
 *
 * <p>Every class here is thread-safe and blocks on ZooKeeper: never call from a network event loop.
 */
package io.strand.coordinator.admin;
