package io.strand.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A follower fetches ahead of its fsyncs and reports how far it is durable ({@link DurabilityReports}); the leader
 * counts that report, not the fetch offset, for the acknowledgement of acks=all, the ISR and the high watermark.
 * The test holds one follower's report back (rewriting its fetches at the leader, the follower itself unchanged):
 * its log takes the record, yet the producer is not answered until the leader drops it from the ISR for not
 * becoming durable within {@code replica.lag.time.max.ms}; released, it rejoins the ISR.
 */
@ExtendWith(StrandClusterExtension.class)
class FetchAheadTest {
    private static final String TOPIC = "ahead";

    @Test
    void shouldAcknowledgeOnlyWhatEveryInSyncFollowerReportsDurable(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "replica.lag.time.max.ms=3000",
                                "min.insync.replicas=2",
                                "strand.replica.fetch.ahead.enable=true"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        Uuid topicId = cluster.createTopic(TOPIC, 1, 3);
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        Wait.waitUntil(
                "every broker has the partition",
                Duration.ofSeconds(30),
                () -> cluster.brokers().stream()
                        .allMatch(b -> b.replicaManager().partition(tp).isPresent()));
        Partition leader = cluster.brokers().stream()
                .map(b -> b.replicaManager().partition(tp).orElseThrow())
                .filter(Partition::isLeader)
                .findFirst()
                .orElseThrow();
        int held = leader.replicas().stream()
                .filter(r -> r != leader.leaderId())
                .findFirst()
                .orElseThrow();
        Partition heldLog = cluster.broker(held).replicaManager().partition(tp).orElseThrow();
        Wait.waitUntil("full ISR", Duration.ofSeconds(30), () -> leader.isr().size() == 3);

        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            producer.send(new ProducerRecord<>(TOPIC, 0, null, "first".getBytes()))
                    .get(30, TimeUnit.SECONDS);
            // every fetch of the held follower says: durable up to here, whatever it has fsynced
            AtomicLong heldAt = new AtomicLong(leader.log().logEndOffset());
            AtomicInteger rewritten = new AtomicInteger();
            cluster.faults().rewriteRequests((ctx, request) -> {
                if (ctx.apiKey() == ApiKeys.FETCH
                        && request instanceof FetchRequestData fetch
                        && fetch.replicaState().replicaId() == held) {
                    fetch.unknownTaggedFields().removeIf(f -> f.tag() == DurabilityReports.TAG);
                    DurabilityReports.attach(fetch, Map.of(new DurabilityReports.Key(topicId, 0), heldAt.get()));
                    rewritten.incrementAndGet();
                }
            });
            try {
                // a fetch already waiting at the leader when the hook went in is not rewritten: wait for one that is
                Wait.waitUntil(
                        "a rewritten fetch of the held follower", Duration.ofSeconds(10), () -> rewritten.get() > 0);
                long offset = leader.log().logEndOffset();
                long sent = System.nanoTime();
                Future<RecordMetadata> ack = producer.send(new ProducerRecord<>(TOPIC, 0, null, "second".getBytes()));
                Wait.waitUntil(
                        "the held follower's log has the record",
                        Duration.ofSeconds(10),
                        () -> heldLog.log().logEndOffset() > offset);
                assertFalse(ack.isDone(), "acknowledged before the held follower reported it durable");
                assertTrue(leader.highWatermark() <= offset, "high watermark " + leader.highWatermark());

                // the follower fetches on but never becomes durable: out of the ISR, then the ack
                assertEquals(offset, ack.get(30, TimeUnit.SECONDS).offset());
                long ackMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                assertTrue(ackMs >= 2_000, "acknowledged after " + ackMs + " ms, before replica.lag.time.max.ms");
                assertFalse(leader.isr().contains(held), "ISR " + leader.isr());
            } finally {
                cluster.faults().rewriteRequests(null);
            }
        }
        Wait.waitUntil(
                "the released follower is back in the ISR",
                Duration.ofSeconds(30),
                () -> leader.isr().containsAll(List.of(1, 2, 3)));
    }
}
