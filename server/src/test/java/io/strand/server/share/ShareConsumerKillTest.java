package io.strand.server.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.ChildJvm;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A share consumer killed with {@code kill -9} while it holds acquired records: once their
 * acquisition lock ({@code group.share.record.lock.duration.ms}, 3 s here) expires, the records go to
 * another consumer of the group, with their delivery count one higher, and every record is read.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class ShareConsumerKillTest {
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @BrokerCluster(
            brokers = 1,
            properties = {
                "offsets.topic.replication.factor=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "share.coordinator.state.topic.num.partitions=2",
                "group.share.record.lock.duration.ms=3000",
                "group.share.heartbeat.interval.ms=500"
            })
    private static StrandTestCluster cluster;

    @TempDir
    Path dir;

    @Test
    void shouldRedeliverAKilledConsumersRecordsAfterTheirLockExpires() throws Exception {
        String topic = "share-kill";
        String group = "share-kill-group";
        cluster.createTopic(topic, 1, 1);
        Map<String, Integer> held = new ConcurrentHashMap<>();
        try (Admin admin = cluster.admin();
                ChildJvm holder = ChildJvm.start(
                        ShareConsumerProcess.class,
                        dir.resolve("holder.err"),
                        line -> {
                            if (line.startsWith("R ")) {
                                String[] f = line.split(" ");
                                held.put(f[1], Integer.parseInt(f[2]));
                            }
                        },
                        cluster.bootstrapServers(),
                        group,
                        topic)) {
            holder.awaitReady(WITHIN);
            TopicPartition tp = new TopicPartition(topic, 0);
            Wait.waitUntil("the holder's group started reading " + tp, WITHIN, () -> {
                var o = admin.listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
                        .partitionsToOffsetInfo(group)
                        .get()
                        .get(tp);
                return o != null && o.startOffset() >= 0;
            });
            ProduceConsumeValidator v = new ProduceConsumeValidator();
            try (KafkaProducer<byte[], byte[]> p = cluster.producer(Map.of())) {
                for (int i = 0; i < 20; i++) {
                    v.send(p, topic, 0, ProduceConsumeValidator.NO_KEY, "k" + i);
                }
                p.flush();
            }
            // given the holder holds records it never acknowledges
            Wait.waitUntil("the holder got records", WITHIN, () -> !held.isEmpty());
            holder.kill();
            Set<String> heldAtKill = Set.copyOf(held.keySet());

            // when another consumer reads the group, then it gets everything, the killed one's records again
            Map<String, Short> redelivered = new HashMap<>();
            long killedAt = System.nanoTime();
            long firstHeldAgainNanos = -1;
            try (KafkaShareConsumer<byte[], byte[]> c =
                    KafkaShareConsumerTest.consumer(cluster.bootstrapServers(), group, true)) {
                c.subscribe(List.of(topic));
                while (!v.lost().isEmpty() && System.nanoTime() - killedAt < WITHIN.toNanos()) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                        String value = new String(r.value(), StandardCharsets.UTF_8);
                        v.consumed(r);
                        redelivered.put(value, r.deliveryCount().orElse((short) -1));
                        if (heldAtKill.contains(value) && firstHeldAgainNanos < 0) {
                            firstHeldAgainNanos = System.nanoTime();
                        }
                        c.acknowledge(r, AcknowledgeType.ACCEPT);
                    }
                    c.commitSync();
                }
            }
            v.assertNoneLost();
            for (String value : heldAtKill) {
                assertEquals(
                        (short) (held.get(value) + 1),
                        redelivered.get(value),
                        value + " held by the killed consumer comes again, one delivery later");
            }
            assertTrue(firstHeldAgainNanos > 0, "the held records came again");
        }
    }
}
