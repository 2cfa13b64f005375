/**
 * How Strand's ZooKeeper clients authenticate and protect what they create: the settings with
 * Kafka's names ({@code zookeeper.set.acl}, {@code zookeeper.ssl.*}, and Strand's {@code
 * zookeeper.digest.credentials.file}), the options one client is built with, the ACL every znode
 * gets (Kafka's rules: the creator may do everything, anyone may read, except secrets such as SCRAM
 * credentials that only the creator may read), and the check that a broker may write the cluster's
 * znodes before it starts.
 *
 * <p>Every class here is immutable or stateless, and thread-safe.
 */
package io.strand.coordinator.security;
