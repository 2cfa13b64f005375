/**
 * Client quotas (KIP-13, KIP-55, KIP-124): byte-rate quotas on produce and fetch and
 * request-percentage quotas per user, client id, or user and client id, with defaults, stored in
 * ZooKeeper ({@link io.strand.coordinator.admin.ClientQuotaStore}) and followed by every broker through
 * config change notifications; measured over Kafka's sample windows and enforced as Kafka does, by
 * answering with {@code throttle_time_ms} and not reading from the connection until that time has
 * passed. docs/quotas.md
 */
package io.strand.server.quota;
