/**
 * Security: who a connection is (TLS client certificates, SASL PLAIN and SCRAM) and what it may do
 * (ACLs with Kafka's model, stored in ZooKeeper and cached on every broker). docs/security.md
 */
package io.strand.server.security;
