package io.strand.server.share;

import static io.strand.server.share.ShareWire.acquired;
import static io.strand.server.share.ShareWire.partition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Over the wire, with a one-second acquisition lock and a delivery limit of 2: a member that never
 * acknowledges loses its records when the lock expires; another member's parked ShareFetch is woken by
 * the expiry and gets them with delivery count 2; after the second expiry they are archived and the
 * start offset passes them.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class ShareLockExpiryTest {

    @Test
    void shouldRedeliverExpiredRecordsToAParkedFetchAndArchiveThemAtTheLimit(
            @BrokerCluster(
                            properties = {
                                "group.share.record.lock.duration.ms=1000",
                                "group.share.delivery.count.limit=2",
                                "share.coordinator.state.topic.num.partitions=1",
                                "share.coordinator.state.topic.replication.factor=1",
                                "share.coordinator.state.topic.min.isr=1"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        Uuid topicId = cluster.createTopic("share-expiry", 1, 1);
        try (RawKafkaConnection a = new RawKafkaConnection("127.0.0.1", cluster.port(1));
                RawKafkaConnection b = new RawKafkaConnection("127.0.0.1", cluster.port(1))) {
            Wait.waitUntil("the share partition initialises", Duration.ofSeconds(30), () -> {
                ShareFetchResponseData r = ShareWire.fetch(a, (short) 2, "exp", "a", 0, topicId, 0, List.of(), 0);
                return r.errorCode() == 0 && partition(r).errorCode() == 0;
            });
            ShareWire.fetch(b, (short) 2, "exp", "b", 0, topicId, 0, List.of(), 0);
            assertEquals(Errors.NONE, a.produce("share-expiry", 0, (short) -1, 10_000, "once"));
            ShareFetchResponseData first = ShareWire.fetch(a, (short) 2, "exp", "a", 1, topicId, 0, List.of(), 5_000);
            assertEquals(List.of(0L), acquired(partition(first)));

            long before = System.nanoTime();
            ShareFetchResponseData second = ShareWire.fetch(b, (short) 2, "exp", "b", 1, topicId, 0, List.of(), 10_000);
            long waitedMs = (System.nanoTime() - before) / 1_000_000;
            assertEquals(List.of(0L), acquired(partition(second)));
            assertEquals(2, partition(second).acquiredRecords().get(0).deliveryCount());
            assertTrue(waitedMs < 9_000, "woken by the expiry, not the timeout: " + waitedMs + " ms");

            // b does not acknowledge either: at the limit the record is archived, never delivered again
            TopicPartition tp = new TopicPartition("share-expiry", 0);
            Wait.waitUntil(
                    "the record is archived and the start offset passes it",
                    Duration.ofSeconds(10),
                    () -> cluster.broker(1).sharePartitions().loaded("exp", tp).startOffset() == 1);
            ShareFetchResponseData none = ShareWire.fetch(a, (short) 2, "exp", "a", 2, topicId, 0, List.of(), 200);
            assertTrue(acquired(partition(none)).isEmpty());
            assertTrue(cluster.broker(1).sharePartitions().metrics().lockExpiries() >= 2);
            assertTrue(cluster.broker(1).sharePartitions().metrics().archived() >= 1);
        }
    }
}
