package io.strand.server.replica;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strand.coordinator.proto.DurableOffsetsAccepted;
import io.strand.coordinator.proto.FollowerDurableOffsets;
import io.strand.coordinator.proto.PartitionDurableOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.types.RawTaggedField;

/**
 * Strand's durability report between brokers, carried in a top-level tagged field of the Kafka Fetch API (v13+,
 * the flexible versions) that Kafka brokers and clients skip: a follower that fetches past what it has fsynced
 * lists, per partition, how far its log is durable ({@code FollowerDurableOffsets}); a leader that reads the list
 * says so in its response ({@code DurableOffsetsAccepted}), and only after seeing that does a follower fetch past
 * its durable end. The payloads are protobuf messages (coordinator/src/main/proto/replication.proto).
 *
 * <p>Stateless and thread-safe.
 */
public final class DurabilityReports {
    /** The tag of both fields ("ST"); Kafka's own top-level Fetch tags are small numbers. */
    public static final int TAG = 21332;

    /** The first Fetch version naming topics by id (and flexible: tagged fields). */
    public static final short MIN_VERSION = 13;

    private static final byte[] ACCEPTED =
            DurableOffsetsAccepted.newBuilder().setVersion(1).build().toByteArray();

    /** A partition by its topic's id, as the flexible Fetch versions name it. */
    public record Key(Uuid topicId, int partition) {}

    private DurabilityReports() {}

    /** Follower: lists {@code durableEnds} (each below its partition's fetch offset) in {@code request}. */
    static void attach(FetchRequestData request, Map<Key, Long> durableEnds) {
        if (durableEnds.isEmpty()) {
            return;
        }
        FollowerDurableOffsets.Builder b = FollowerDurableOffsets.newBuilder();
        durableEnds.forEach((tp, end) -> b.addPartitions(PartitionDurableOffset.newBuilder()
                .setTopicIdMost(tp.topicId().getMostSignificantBits())
                .setTopicIdLeast(tp.topicId().getLeastSignificantBits())
                .setPartition(tp.partition())
                .setDurableEndOffset(end)));
        request.unknownTaggedFields().add(new RawTaggedField(TAG, b.build().toByteArray()));
    }

    /**
     * Leader: the durable ends a follower listed in {@code request}, by topic id and partition; empty if it listed
     * none (then every fetch offset is durable).
     *
     * @throws IllegalArgumentException if the field is present but not a valid list
     */
    public static Map<Key, Long> read(FetchRequestData request) {
        List<RawTaggedField> tagged = request.unknownTaggedFields();
        if (tagged == null || tagged.isEmpty()) {
            return Map.of();
        }
        for (RawTaggedField field : tagged) {
            if (field.tag() == TAG) {
                try {
                    Map<Key, Long> out = new HashMap<>();
                    for (PartitionDurableOffset p :
                            FollowerDurableOffsets.parseFrom(field.data()).getPartitionsList()) {
                        out.put(
                                new Key(new Uuid(p.getTopicIdMost(), p.getTopicIdLeast()), p.getPartition()),
                                p.getDurableEndOffset());
                    }
                    return out;
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalArgumentException("malformed durable offsets in a follower fetch", e);
                }
            }
        }
        return Map.of();
    }

    /** Leader: tells the follower, in {@code response}, that its durable offsets are read. */
    public static void accept(FetchResponseData response) {
        response.unknownTaggedFields().add(new RawTaggedField(TAG, ACCEPTED));
    }

    /** Follower: whether the leader that sent {@code response} reads durable offsets. */
    static boolean accepted(FetchResponseData response) {
        List<RawTaggedField> tagged = response.unknownTaggedFields();
        if (tagged == null) {
            return false;
        }
        for (RawTaggedField field : tagged) {
            if (field.tag() == TAG) {
                return true;
            }
        }
        return false;
    }
}
