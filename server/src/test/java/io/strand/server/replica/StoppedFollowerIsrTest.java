package io.strand.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strand.server.Broker;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import io.strand.wal.EpochEntry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A broker that stops cleanly leaves the ISRs and does not come back in: a last fetch of it that
 * reaches a leader after the controller took it out does not add it again (as KIP-841: only
 * registered brokers join an ISR). Before the fix such a follower sat in the ISR until
 * replica.lag.time.max.ms (30 s, the default here) dropped it again, and held acks=all produces that
 * long. Whether a real last fetch lands after the removal depends on timing, so the test sends one
 * itself, as broker 3, to every leader.
 */
@ExtendWith(StrandClusterExtension.class)
class StoppedFollowerIsrTest {
    private static final String TOPIC = "followed";

    @Test
    void shouldNotTakeAStoppedBrokerBackIntoAnIsr(
            @BrokerCluster(brokers = 3, properties = "min.insync.replicas=2") StrandTestCluster cluster)
            throws Exception {
        cluster.createTopic(TOPIC, 6, 3);
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of())) {
            for (int p = 0; p < 6; p++) {
                producer.send(new ProducerRecord<>(TOPIC, p, null, new byte[100]))
                        .get();
            }
        }
        Wait.waitUntil(
                "broker 3 is in every ISR",
                Duration.ofSeconds(30),
                () -> isrs(cluster).stream().allMatch(isr -> isr.contains(3)));
        cluster.stopBroker(3);
        Wait.waitUntil(
                "broker 3 has left every ISR",
                Duration.ofSeconds(15),
                () -> isrs(cluster).stream().noneMatch(isr -> isr.contains(3)));

        for (int p = 0; p < 6; p++) {
            TopicPartition tp = new TopicPartition(TOPIC, p);
            Broker leader = cluster.broker(cluster.broker(1)
                    .metadataCache()
                    .partition(tp)
                    .orElseThrow()
                    .leader());
            Partition partition = leader.replicaManager().partition(tp).orElseThrow();
            try (RawKafkaConnection c =
                    new RawKafkaConnection("127.0.0.1", leader.boundAddress().getPort())) {
                FetchResponse r =
                        (FetchResponse) c.send(ApiKeys.FETCH, (short) 12, caughtUpFetchAsBroker3(tp, partition));
                assertEquals(Errors.NONE, r.error(), r::toString);
                assertEquals(
                        Errors.NONE.code(),
                        r.data().responses().get(0).partitions().get(0).errorCode(),
                        r::toString);
            }
        }
        long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < until) {
            assertEquals(
                    List.of(),
                    isrs(cluster).stream().filter(isr -> isr.contains(3)).toList(),
                    "broker 3 back in an ISR");
            Thread.sleep(50);
        }
    }

    /** Fetch v12 as follower 3 from the log end of {@code partition}, in step with the leader's log. */
    private static FetchRequestData caughtUpFetchAsBroker3(TopicPartition tp, Partition partition) {
        return new FetchRequestData()
                .setReplicaId(3)
                .setMaxWaitMs(0)
                .setMinBytes(0)
                .setMaxBytes(1 << 20)
                .setTopics(List.of(new FetchRequestData.FetchTopic()
                        .setTopic(tp.topic())
                        .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                .setPartition(tp.partition())
                                .setCurrentLeaderEpoch(partition.leaderEpoch())
                                .setLastFetchedEpoch(partition.log().epochEntries().stream()
                                        .mapToInt(EpochEntry::epoch)
                                        .max()
                                        .orElse(-1))
                                .setFetchOffset(partition.log().logEndOffset())
                                .setPartitionMaxBytes(1 << 20)))));
    }

    /** The ISR of each partition of the topic, as broker 1's metadata cache has it from ZooKeeper. */
    private static List<List<Integer>> isrs(StrandTestCluster cluster) {
        return IntStream.range(0, 6)
                .mapToObj(p -> cluster.broker(1)
                        .metadataCache()
                        .partition(new TopicPartition(TOPIC, p))
                        .map(info -> info.state().getIsrList())
                        .orElse(List.of()))
                .toList();
    }
}
