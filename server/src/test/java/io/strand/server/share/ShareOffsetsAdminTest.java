package io.strand.server.share;

import static io.strand.server.share.ShareWire.acquired;
import static io.strand.server.share.ShareWire.partition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The share-group offset admin through Kafka's own Admin client (what {@code kafka-share-groups
 * --describe / --reset-offsets / --delete-offsets} call) on two brokers: list, alter (a member then
 * reads from the new start), delete.
 */
@ExtendWith(StrandClusterExtension.class)
class ShareOffsetsAdminTest {

    @Test
    void shouldListAlterAndDeleteShareGroupOffsetsWithTheAdminClient(
            @BrokerCluster(
                            brokers = 2,
                            properties = {
                                "share.coordinator.state.topic.num.partitions=4",
                                "share.coordinator.state.topic.replication.factor=2",
                                "share.coordinator.state.topic.min.isr=1",
                                "offsets.topic.replication.factor=2",
                                "offsets.topic.num.partitions=4"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        String topic = "share-admin";
        Uuid topicId = cluster.createTopic(topic, 1, 2);
        TopicPartition tp = new TopicPartition(topic, 0);
        int leader = cluster.brokers().stream()
                .filter(b ->
                        b.replicaManager().partition(tp).map(p -> p.isLeader()).orElse(false))
                .findFirst()
                .orElseThrow()
                .brokerId();
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(leader));
                Admin admin = cluster.admin()) {
            for (int i = 0; i < 5; i++) {
                assertEquals(Errors.NONE, c.produce(topic, 0, (short) -1, 10_000, "v" + i));
            }
            // no state yet: reset the group to offset 2 while it is empty
            admin.alterShareGroupOffsets("admin-g", Map.of(tp, 2L)).all().get();
            Map<TopicPartition, SharePartitionOffsetInfo> listed = admin.listShareGroupOffsets(
                            Map.of("admin-g", new ListShareGroupOffsetsSpec().topicPartitions(List.of(tp))))
                    .partitionsToOffsetInfo("admin-g")
                    .get();
            assertEquals(2, listed.get(tp).startOffset());
            assertEquals(3L, listed.get(tp).lag().orElse(-1L));
            // a broker that does not lead the partition asks the leader for its high watermark (ListOffsets)
            int other = leader == 1 ? 2 : 1;
            ShareGroupOffsets.Offset viaOther = cluster.broker(other)
                    .shareGroupOffsets()
                    .describe(
                            "admin-g",
                            cluster.broker(other).metadataCache().topic(topic).orElseThrow(),
                            0)
                    .get();
            assertEquals(2, viaOther.startOffset());
            assertEquals(3, viaOther.lag());

            ShareFetchResponseData got = ShareWire.fetch(c, (short) 2, "admin-g", "m", 0, topicId, 0, List.of(), 2_000);
            assertEquals(List.of(2L, 3L, 4L), acquired(partition(got)));
            ShareWire.fetch(
                    c, (short) 2, "admin-g", "m", -1, topicId, 0, List.of(new ShareWire.Ack(2, 4, (byte) 1)), 0);
            listed = admin.listShareGroupOffsets(
                            Map.of("admin-g", new ListShareGroupOffsetsSpec().topicPartitions(List.of(tp))))
                    .partitionsToOffsetInfo("admin-g")
                    .get();
            assertEquals(5, listed.get(tp).startOffset());

            admin.deleteShareGroupOffsets("admin-g", Set.of(topic)).all().get();
            listed = admin.listShareGroupOffsets(
                            Map.of("admin-g", new ListShareGroupOffsetsSpec().topicPartitions(List.of(tp))))
                    .partitionsToOffsetInfo("admin-g")
                    .get();
            SharePartitionOffsetInfo after = listed.get(tp);
            assertTrue(after == null || after.startOffset() == -1, "deleted: " + after);
            assertFalse(cluster.broker(leader).sharePartitions().metrics().acquired() < 3);
        }
    }
}
