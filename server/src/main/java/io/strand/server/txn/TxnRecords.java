package io.strand.server.txn;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strand.server.txn.proto.TransactionMetadataValue;
import io.strand.server.txn.proto.TxnPartitionsValue;
import io.strand.server.txn.proto.TxnRecordKey;
import io.strand.server.txn.proto.TxnStateValue;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The encoding of transaction state as {@code __transaction_state} records
 * ({@code server/src/main/proto/txn.proto}): key = {@link TxnRecordKey} (the transactional id),
 * value = {@link TransactionMetadataValue}, or null (a tombstone) when the id expires. Stateless.
 */
final class TxnRecords {
    private TxnRecords() {}

    static byte[] key(String transactionalId) {
        return TxnRecordKey.newBuilder()
                .setTransactionalId(transactionalId)
                .build()
                .toByteArray();
    }

    static SimpleRecord record(long nowMs, String transactionalId, TxnTransit t) {
        TransactionMetadataValue.Builder v = TransactionMetadataValue.newBuilder()
                .setProducerId(t.producerId())
                .setPreviousProducerId(t.previousProducerId())
                .setNextProducerId(-1)
                .setProducerEpoch(t.producerEpoch())
                .setLastProducerEpoch(t.lastProducerEpoch())
                .setTransactionTimeoutMs(t.timeoutMs())
                .setState(TxnStateValue.forNumber(t.state().id))
                .setTransactionStartTimeMs(t.txnStartTimestamp())
                .setLastUpdateTimeMs(t.lastUpdateTimestamp());
        Map<String, TxnPartitionsValue.Builder> byTopic = new LinkedHashMap<>();
        Set<TopicPartition> sorted = new TreeSet<>(TxnMetadata.ORDER);
        sorted.addAll(t.partitions());
        for (TopicPartition tp : sorted) {
            byTopic.computeIfAbsent(
                            tp.topic(), topic -> TxnPartitionsValue.newBuilder().setTopic(topic))
                    .addPartitions(tp.partition());
        }
        byTopic.values().forEach(v::addPartitions);
        return new SimpleRecord(nowMs, key(transactionalId), v.build().toByteArray());
    }

    static SimpleRecord tombstone(long nowMs, String transactionalId) {
        return new SimpleRecord(nowMs, key(transactionalId), null);
    }

    static MemoryRecords batch(List<SimpleRecord> records) {
        return MemoryRecords.withRecords(Compression.NONE, records.toArray(SimpleRecord[]::new));
    }

    static String parseKey(ByteBuffer key) throws InvalidProtocolBufferException {
        return TxnRecordKey.parseFrom(key.duplicate()).getTransactionalId();
    }

    static TxnTransit parseValue(ByteBuffer value) throws InvalidProtocolBufferException {
        TransactionMetadataValue v = TransactionMetadataValue.parseFrom(value.duplicate());
        Set<TopicPartition> partitions = new TreeSet<>(TxnMetadata.ORDER);
        for (TxnPartitionsValue t : v.getPartitionsList()) {
            for (int p : t.getPartitionsList()) {
                partitions.add(new TopicPartition(t.getTopic(), p));
            }
        }
        return new TxnTransit(
                v.getProducerId(),
                v.getPreviousProducerId(),
                (short) v.getProducerEpoch(),
                (short) v.getLastProducerEpoch(),
                v.getTransactionTimeoutMs(),
                TxnState.byId(v.getStateValue()),
                partitions,
                v.getTransactionStartTimeMs(),
                v.getLastUpdateTimeMs());
    }
}
