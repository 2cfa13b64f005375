package io.strand.server.txn;

import io.strand.server.BrokerConfig;

/** The broker settings the transaction coordinator reads (Kafka's names in {@link BrokerConfig}). Immutable. */
public record TxnConfig(
        int stateLogPartitions,
        int stateLogReplicationFactor,
        int stateLogMinIsr,
        int maxTimeoutMs,
        long transactionalIdExpirationMs,
        long abortTimedOutIntervalMs,
        long removeExpiredIntervalMs,
        long markerRetryBackoffMs) {

    public static TxnConfig from(BrokerConfig c) {
        return new TxnConfig(
                c.transactionStateLogNumPartitions(),
                c.transactionStateLogReplicationFactor(),
                c.transactionStateLogMinIsr(),
                c.transactionMaxTimeoutMs(),
                c.transactionalIdExpirationMs(),
                c.transactionAbortTimedOutTransactionCleanupIntervalMs(),
                c.transactionRemoveExpiredTransactionCleanupIntervalMs(),
                100);
    }
}
