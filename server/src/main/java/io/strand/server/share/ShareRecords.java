package io.strand.server.share;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strand.server.share.proto.ShareStateBatch;
import io.strand.server.share.proto.ShareStateKey;
import io.strand.server.share.proto.ShareStateValue;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The encoding of share-partition state as {@code __share_group_state} records
 * ({@code server/src/main/proto/share.proto}): key = {@link ShareStateKey}, value = {@link ShareStateValue}
 * (the whole state), or null (a tombstone) when the state is deleted. Stateless.
 */
final class ShareRecords {
    private ShareRecords() {}

    /** The share-partition key: Kafka's {@code groupId:topicId:partition}. */
    record Key(String groupId, Uuid topicId, int partition) {
        /** The string whose hash picks the {@code __share_group_state} partition (Kafka's SharePartitionKey). */
        String asCoordinatorKey() {
            return groupId + ":" + topicId + ":" + partition;
        }
    }

    static SimpleRecord record(long nowMs, Key key, ShareState state) {
        ShareStateValue.Builder v = ShareStateValue.newBuilder()
                .setStateEpoch(state.stateEpoch())
                .setLeaderEpoch(state.leaderEpoch())
                .setStartOffset(state.startOffset())
                .setDeliveryCompleteCount(state.deliveryCompleteCount())
                .setWriteTimeMs(nowMs);
        for (ShareState.Batch b : state.batches()) {
            v.addBatches(ShareStateBatch.newBuilder()
                    .setFirstOffset(b.firstOffset())
                    .setLastOffset(b.lastOffset())
                    .setDeliveryState(b.state().id)
                    .setDeliveryCount(b.deliveryCount()));
        }
        return new SimpleRecord(nowMs, key(key), v.build().toByteArray());
    }

    static SimpleRecord tombstone(long nowMs, Key key) {
        return new SimpleRecord(nowMs, key(key), null);
    }

    static byte[] key(Key key) {
        return ShareStateKey.newBuilder()
                .setGroupId(key.groupId())
                .setTopicId(key.topicId().toString())
                .setPartition(key.partition())
                .build()
                .toByteArray();
    }

    static MemoryRecords batch(List<SimpleRecord> records) {
        return MemoryRecords.withRecords(Compression.NONE, records.toArray(SimpleRecord[]::new));
    }

    static Key parseKey(ByteBuffer key) throws InvalidProtocolBufferException {
        ShareStateKey k = ShareStateKey.parseFrom(key.duplicate());
        return new Key(k.getGroupId(), Uuid.fromString(k.getTopicId()), k.getPartition());
    }

    static ShareState parseValue(ByteBuffer value) throws InvalidProtocolBufferException {
        ShareStateValue v = ShareStateValue.parseFrom(value.duplicate());
        List<ShareState.Batch> batches = new ArrayList<>();
        for (ShareStateBatch b : v.getBatchesList()) {
            batches.add(new ShareState.Batch(
                    b.getFirstOffset(),
                    b.getLastOffset(),
                    RecordState.forId(b.getDeliveryState()),
                    b.getDeliveryCount()));
        }
        return new ShareState(
                v.getStateEpoch(), v.getLeaderEpoch(), v.getStartOffset(), v.getDeliveryCompleteCount(), batches);
    }
}
