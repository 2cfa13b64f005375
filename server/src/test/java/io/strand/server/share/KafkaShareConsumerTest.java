package io.strand.server.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kafka 4.4's {@code KafkaShareConsumer} unchanged against Strand's share groups (KIP-932) on three
 * in-process brokers: consumers sharing one partition each get records and no record goes to two of
 * them; released records come again with a higher delivery count; rejected records and records
 * delivered {@code group.share.delivery.count.limit} times never again; acknowledged records are not
 * delivered again after the partition's leader changes.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class KafkaShareConsumerTest {
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @BrokerCluster(
            brokers = 3,
            properties = {
                "offsets.topic.replication.factor=3",
                "offsets.topic.num.partitions=4",
                "share.coordinator.state.topic.num.partitions=4",
                "group.share.delivery.count.limit=3",
                "group.share.heartbeat.interval.ms=500"
            })
    private static StrandTestCluster cluster;

    static KafkaShareConsumer<byte[], byte[]> consumer(String bootstrap, String group, boolean explicit) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10");
        p.put("share.acquire.mode", "record_limit");
        p.put("share.acknowledgement.mode", explicit ? "explicit" : "implicit");
        return new KafkaShareConsumer<>(p);
    }

    private static String value(ConsumerRecord<byte[], byte[]> r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }

    private static void produce(ProduceConsumeValidator v, String topic, String prefix, int n) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = cluster.producer(Map.of())) {
            for (int i = 0; i < n; i++) {
                v.send(p, topic, 0, ProduceConsumeValidator.NO_KEY, prefix + i);
            }
            p.flush();
        }
    }

    /** Waits until the group's share state of partition 0 of {@code topic} exists (it starts at the log end: latest). */
    private static void awaitStarted(Admin admin, String group, String topic) throws InterruptedException {
        TopicPartition tp = new TopicPartition(topic, 0);
        Wait.waitUntil("the share group " + group + " started reading " + tp, WITHIN, () -> {
            var offsets = admin.listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
                    .partitionsToOffsetInfo(group)
                    .get();
            var o = offsets.get(tp);
            return o != null && o.startOffset() >= 0;
        });
    }

    @Test
    void shouldHandEachRecordToOneOfThreeConsumersSharingAPartition() throws Exception {
        String topic = "share-queue";
        String group = "share-workers";
        cluster.createTopic(topic, 1, 3);
        ProduceConsumeValidator v = new ProduceConsumeValidator();
        Map<Integer, List<String>> byConsumer = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int n = 0; n < 3; n++) {
            int id = n;
            byConsumer.put(id, new CopyOnWriteArrayList<>());
            Thread t = new Thread(
                    () -> {
                        try (KafkaShareConsumer<byte[], byte[]> c =
                                consumer(cluster.bootstrapServers(), group, false)) {
                            c.subscribe(List.of(topic));
                            while (!stop.get()) {
                                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                                    byConsumer.get(id).add(value(r));
                                    v.consumed(r);
                                }
                            }
                            c.commitSync();
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    },
                    "share-consumer-" + n);
            t.start();
            threads.add(t);
        }
        try (Admin admin = cluster.admin()) {
            ShareGroupDescription d = Wait.waitFor(
                    "three members read the partition",
                    WITHIN,
                    () -> admin.describeShareGroups(List.of(group)).all().get().get(group),
                    g -> g.groupState() == GroupState.STABLE && g.members().size() == 3);
            d.members()
                    .forEach(m ->
                            assertEquals(1, m.assignment().topicPartitions().size(), "all share partition 0"));
            awaitStarted(admin, group, topic);
            for (int wave = 0; wave < 10; wave++) {
                produce(v, topic, "w" + wave + "-", 60);
            }
            Wait.waitUntil("every record is consumed", WITHIN, () -> v.lost().isEmpty(), () -> v.summary());
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
        assertEquals(List.of(), failures);
        v.assertNoneLost();
        v.assertNoDuplicates(); // accepted at the next poll: nothing went to two consumers
        for (int n = 0; n < 3; n++) {
            assertTrue(!byConsumer.get(n).isEmpty(), "consumer " + n + " got records: " + sizes(byConsumer));
        }
    }

    /**
     * Two members of a share group read a three-partition topic from its start (the group's start
     * offsets reset to 0 with Kafka's Admin, as Strand has no {@code share.auto.offset.reset} group
     * config): every record once, and every partition's start offset ends at its end.
     */
    @Test
    void shouldShareTheRecordsOfSeveralPartitionsAmongTheMembersFromTheStart() throws Exception {
        String topic = "share-consume";
        String group = "sc";
        cluster.createTopic(topic, 3, 3);
        ProduceConsumeValidator v = new ProduceConsumeValidator();
        try (KafkaProducer<byte[], byte[]> p = cluster.producer(Map.of("acks", "all"))) {
            for (int i = 0; i < 300; i++) {
                v.send(p, topic, i % 3, ProduceConsumeValidator.NO_KEY, "r" + i);
            }
            p.flush();
        }
        List<TopicPartition> tps =
                List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2));
        try (Admin admin = cluster.admin()) {
            Map<TopicPartition, Long> zero = new HashMap<>();
            tps.forEach(tp -> zero.put(tp, 0L));
            admin.alterShareGroupOffsets(group, zero).all().get();
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> members = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int m = 0; m < 2; m++) {
            Thread t = new Thread(
                    () -> {
                        try (KafkaShareConsumer<byte[], byte[]> c =
                                consumer(cluster.bootstrapServers(), group, false)) {
                            c.subscribe(List.of(topic));
                            while (!stop.get()) {
                                c.poll(Duration.ofMillis(200)).forEach(v::consumed);
                                c.commitSync();
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    },
                    "share-member-" + m);
            t.start();
            members.add(t);
        }
        try {
            Wait.waitUntil(
                    "the members read all 300 records", WITHIN, () -> v.lost().isEmpty(), v::summary);
        } finally {
            stop.set(true);
            for (Thread t : members) {
                t.join(30_000);
            }
        }
        assertEquals(List.of(), failures);
        v.assertNoDuplicates();
        try (Admin admin = cluster.admin()) {
            Wait.waitUntil("every start offset reaches the end", WITHIN, () -> {
                var offsets = admin.listShareGroupOffsets(
                                Map.of(group, new ListShareGroupOffsetsSpec().topicPartitions(tps)))
                        .partitionsToOffsetInfo(group)
                        .get();
                return tps.stream()
                        .allMatch(
                                tp -> offsets.get(tp) != null && offsets.get(tp).startOffset() == 100);
            });
        }
    }

    @Test
    void shouldRedeliverReleasedRecordsButNeverRejectedOnesOrThoseOverTheDeliveryLimit() throws Exception {
        String topic = "share-release";
        String group = "share-releasers";
        cluster.createTopic(topic, 1, 3);
        try (KafkaShareConsumer<byte[], byte[]> c = consumer(cluster.bootstrapServers(), group, true);
                Admin admin = cluster.admin()) {
            c.subscribe(List.of(topic));
            Wait.waitUntil("the consumer joins", WITHIN, () -> {
                c.poll(Duration.ofMillis(100));
                var g = admin.describeShareGroups(List.of(group)).all().get().get(group);
                return g.members().size() == 1;
            });
            awaitStarted(admin, group, topic);
            produce(new ProduceConsumeValidator(), topic, "r", 3); // r0: release, r1: reject, r2: accept
            Map<String, List<Short>> deliveries = new HashMap<>();
            Wait.waitUntil(
                    "r0 is delivered " + 3 + " times and then no more",
                    WITHIN,
                    () -> {
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                            String val = value(r);
                            deliveries
                                    .computeIfAbsent(val, k -> new ArrayList<>())
                                    .add(r.deliveryCount().orElse((short) -1));
                            c.acknowledge(
                                    r,
                                    switch (val) {
                                        case "r0" -> AcknowledgeType.RELEASE;
                                        case "r1" -> AcknowledgeType.REJECT;
                                        default -> AcknowledgeType.ACCEPT;
                                    });
                        }
                        c.commitSync();
                        return deliveries.getOrDefault("r0", List.of()).size() >= 3;
                    },
                    deliveries::toString);
            // a while longer: nothing more comes
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < until) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    deliveries
                            .computeIfAbsent(value(r), k -> new ArrayList<>())
                            .add(r.deliveryCount().orElse((short) -1));
                    c.acknowledge(r, AcknowledgeType.RELEASE);
                }
                c.commitSync();
            }
            // while the member is in the group its offsets cannot be reset
            var refused = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class,
                    () -> admin.alterShareGroupOffsets(group, Map.of(new TopicPartition(topic, 0), 0L))
                            .all()
                            .get());
            assertTrue(
                    refused.getCause() instanceof org.apache.kafka.common.errors.GroupNotEmptyException,
                    "got " + refused.getCause());
            assertEquals(
                    List.of((short) 1, (short) 2, (short) 3), deliveries.get("r0"), "released: again, up to the limit");
            assertEquals(List.of((short) 1), deliveries.get("r1"), "rejected: never again");
            assertEquals(List.of((short) 1), deliveries.get("r2"), "accepted: never again");
        }
    }

    @Test
    void shouldNotDeliverAcknowledgedRecordsAgainAfterTheLeaderChanges() throws Exception {
        String topic = "share-failover";
        String group = "share-failover-group";
        cluster.createTopic(topic, 1, 3);
        Map<String, Integer> accepted = new HashMap<>();
        Map<String, Integer> delivered = new HashMap<>();
        try (Admin admin = cluster.admin()) {
            try (KafkaShareConsumer<byte[], byte[]> c = consumer(cluster.bootstrapServers(), group, true)) {
                c.subscribe(List.of(topic));
                Wait.waitUntil("the consumer joins", WITHIN, () -> {
                    c.poll(Duration.ofMillis(100));
                    return admin.describeShareGroups(List.of(group))
                                    .all()
                                    .get()
                                    .get(group)
                                    .members()
                                    .size()
                            == 1;
                });
                awaitStarted(admin, group, topic);
                produce(new ProduceConsumeValidator(), topic, "f", 100);
                // accept what comes until half is acknowledged (the acknowledgements are persisted before commitSync
                // returns)
                Wait.waitUntil("50 records accepted", WITHIN, () -> {
                    List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
                    c.poll(Duration.ofMillis(200)).forEach(got::add);
                    for (ConsumerRecord<byte[], byte[]> r : got) {
                        delivered.merge(value(r), 1, Integer::sum);
                        c.acknowledge(r, AcknowledgeType.ACCEPT);
                    }
                    var result = c.commitSync();
                    boolean ok = result.values().stream().allMatch(Optional::isEmpty);
                    if (ok) {
                        got.forEach(r -> accepted.merge(value(r), 1, Integer::sum));
                    }
                    return accepted.size() >= 50;
                });
            }
            // when the partition's leader stops
            int leader = cluster.broker(1)
                    .metadataCache()
                    .partition(new TopicPartition(topic, 0))
                    .orElseThrow()
                    .leader();
            cluster.stopBroker(leader);
            try {
                // then a new consumer of the group gets every record but the accepted ones
                try (KafkaShareConsumer<byte[], byte[]> c = consumer(cluster.bootstrapServers(), group, true)) {
                    c.subscribe(List.of(topic));
                    Wait.waitUntil("every record is delivered", WITHIN, () -> {
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                            delivered.merge(value(r), 1, Integer::sum);
                            c.acknowledge(r, AcknowledgeType.ACCEPT);
                        }
                        c.commitSync();
                        return delivered.size() == 100;
                    });
                }
            } finally {
                cluster.startBroker(leader);
            }
        }
        for (String a : accepted.keySet()) {
            assertEquals(1, delivered.get(a), a + " was accepted before the failover and delivered again");
        }
    }

    private static Map<Integer, Integer> sizes(Map<Integer, List<String>> m) {
        Map<Integer, Integer> out = new HashMap<>();
        m.forEach((k, l) -> out.put(k, l.size()));
        return out;
    }
}
