package io.strand.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.Broker;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.SlowTest;
import io.strand.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin APIs through Kafka's own Admin client and a running producer against three in-process
 * brokers: partitions added under a producer, topics deleted and re-created, topic and broker
 * configs, preferred leader election, cluster and log-dir descriptions.
 */
@ExtendWith(StrandClusterExtension.class)
@SlowTest
class AdminApiTest {
    @BrokerCluster(
            brokers = 3,
            properties = {"default.replication.factor=3", "min.insync.replicas=2"})
    private static StrandTestCluster cluster;

    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        admin = cluster.admin();
    }

    @AfterAll
    static void stop() throws Exception {
        if (admin != null) {
            admin.close();
        }
    }

    @Test
    void shouldLetARunningProducerUsePartitionsAddedAfterItStarted() throws Exception {
        cluster.createTopic("growing", 1, 3);
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                "false",
                ProducerConfig.METADATA_MAX_AGE_CONFIG,
                "500",
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                "20000"))) {
            producer.send(new ProducerRecord<>("growing", 0, null, "before".getBytes()))
                    .get();
            assertEquals(1, producer.partitionsFor("growing").size());

            admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(4)))
                    .all()
                    .get();

            Wait.waitUntil(
                    "the producer sees 4 partitions",
                    Duration.ofSeconds(20),
                    () -> producer.partitionsFor("growing").size() == 4);
            List<RecordMetadata> sent = new ArrayList<>();
            for (int p = 1; p < 4; p++) {
                sent.add(producer.send(new ProducerRecord<>("growing", p, null, ("to " + p).getBytes()))
                        .get());
            }
            sent.forEach(md -> assertEquals(0, md.offset(), "first record of new partition " + md.partition()));
        }
        TopicDescription d = describe("growing");
        assertEquals(4, d.partitions().size());
        d.partitions().forEach(p -> assertEquals(3, p.replicas().size(), "new partitions keep RF 3"));

        ExecutionException shrink = assertThrows(
                ExecutionException.class,
                () -> admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(2)))
                        .all()
                        .get());
        assertInstanceOf(InvalidPartitionsException.class, shrink.getCause());
        ExecutionException unknown = assertThrows(
                ExecutionException.class,
                () -> admin.createPartitions(Map.of("nope", NewPartitions.increaseTo(2)))
                        .all()
                        .get());
        assertInstanceOf(UnknownTopicOrPartitionException.class, unknown.getCause());
    }

    @Test
    void shouldDeleteATopicEverywhereAndRecreateItWithANewIdAndNoOldData() throws Exception {
        cluster.createTopic("doomed", 2, 3);
        Uuid oldId = describe("doomed").topicId();
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(
                Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false"))) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>("doomed", i % 2, null, ("old " + i).getBytes()))
                        .get();
            }
        }
        assertTrue(partitionDirExists("doomed", 0));

        admin.deleteTopics(List.of("doomed")).all().get();

        assertFalse(admin.listTopics().names().get().contains("doomed"));
        Wait.waitUntil(
                "every broker dropped the logs of doomed",
                Duration.ofSeconds(20),
                () -> !partitionDirExists("doomed", 0)
                        && !partitionDirExists("doomed", 1)
                        && cluster.brokers().stream()
                                .allMatch(b -> b.replicaManager()
                                        .partition(new TopicPartition("doomed", 0))
                                        .isEmpty()));

        cluster.createTopic("doomed", 2, 3);
        Uuid newId = describe("doomed").topicId();
        assertNotEquals(oldId, newId, "a re-created topic has a new topic id");
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            List<TopicPartition> tps = List.of(new TopicPartition("doomed", 0), new TopicPartition("doomed", 1));
            consumer.assign(tps);
            assertEquals(Map.of(tps.get(0), 0L, tps.get(1), 0L), consumer.endOffsets(tps), "no old data");
        }
        ExecutionException unknown = assertThrows(
                ExecutionException.class,
                () -> admin.deleteTopics(List.of("never-was")).all().get());
        assertInstanceOf(UnknownTopicOrPartitionException.class, unknown.getCause());
    }

    @Test
    void shouldChangeTopicConfigsAndApplyThemToTheLogs() throws Exception {
        cluster.createTopic("tuned", 1, 3);
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "tuned");
        admin.incrementalAlterConfigs(Map.of(
                        topic,
                        List.of(
                                new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET),
                                new AlterConfigOp(
                                        new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND))))
                .all()
                .get();

        Config config = admin.describeConfigs(List.of(topic)).all().get().get(topic);
        assertEquals("3600000", config.get("retention.ms").value());
        assertEquals(
                ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG,
                config.get("retention.ms").source());
        assertEquals("delete,compact", config.get("cleanup.policy").value());
        assertEquals(
                ConfigEntry.ConfigSource.DEFAULT_CONFIG,
                config.get("segment.bytes").source());
        Config withSynonyms = admin.describeConfigs(
                        List.of(topic),
                        new org.apache.kafka.clients.admin.DescribeConfigsOptions().includeSynonyms(true))
                .all()
                .get()
                .get(topic);
        assertEquals(
                "log.cleaner.min.cleanable.ratio",
                withSynonyms.get("min.cleanable.dirty.ratio").synonyms().get(0).name(),
                "the broker setting a compaction config falls back to");
        assertEquals("0.5", withSynonyms.get("min.cleanable.dirty.ratio").value());
        Wait.waitUntil(
                "every replica's log has retention.ms=3600000 and is compacted",
                Duration.ofSeconds(10),
                () -> cluster.brokers().stream()
                        .allMatch(b -> b.replicaManager()
                                .partition(new TopicPartition("tuned", 0))
                                .map(p -> p.log().config().retentionMs() == 3_600_000L
                                        && p.log().config().compact()
                                        && p.log().config().compaction().delete())
                                .orElse(false)));

        admin.incrementalAlterConfigs(Map.of(
                        topic,
                        List.of(new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE))))
                .all()
                .get();
        assertEquals(
                ConfigEntry.ConfigSource.DEFAULT_CONFIG,
                admin.describeConfigs(List.of(topic))
                        .all()
                        .get()
                        .get(topic)
                        .get("retention.ms")
                        .source());

        ExecutionException bad = assertThrows(
                ExecutionException.class,
                () -> admin.incrementalAlterConfigs(Map.of(
                                topic,
                                List.of(new AlterConfigOp(
                                        new ConfigEntry("retention.ms", "soon"), AlterConfigOp.OpType.SET))))
                        .all()
                        .get());
        assertInstanceOf(InvalidConfigurationException.class, bad.getCause());
        assertTrue(
                bad.getCause().getMessage().contains("retention.ms"),
                bad.getCause().getMessage());
    }

    @Test
    void shouldChangeOnlyDynamicBrokerConfigs() throws Exception {
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "2");
        admin.incrementalAlterConfigs(Map.of(
                        broker,
                        List.of(new AlterConfigOp(
                                new ConfigEntry("leader.replication.throttled.rate", "1048576"),
                                AlterConfigOp.OpType.SET))))
                .all()
                .get();
        ConfigEntry rate =
                admin.describeConfigs(List.of(broker)).all().get().get(broker).get("leader.replication.throttled.rate");
        assertEquals("1048576", rate.value());
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, rate.source());
        assertFalse(rate.isReadOnly());
        ConfigEntry logDirs =
                admin.describeConfigs(List.of(broker)).all().get().get(broker).get("log.dirs");
        assertTrue(logDirs.isReadOnly());
        assertEquals(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG, logDirs.source());

        ExecutionException readOnly = assertThrows(
                ExecutionException.class,
                () -> admin.incrementalAlterConfigs(Map.of(
                                broker,
                                List.of(new AlterConfigOp(
                                        new ConfigEntry("log.dirs", "/tmp/x"), AlterConfigOp.OpType.SET))))
                        .all()
                        .get());
        assertInstanceOf(InvalidRequestException.class, readOnly.getCause());
        assertTrue(readOnly.getCause().getMessage().contains("Cannot update these configs dynamically: log.dirs"));

        admin.incrementalAlterConfigs(Map.of(
                        broker,
                        List.of(new AlterConfigOp(
                                new ConfigEntry("leader.replication.throttled.rate", ""),
                                AlterConfigOp.OpType.DELETE))))
                .all()
                .get();
        assertEquals(
                ConfigEntry.ConfigSource.DEFAULT_CONFIG,
                admin.describeConfigs(List.of(broker))
                        .all()
                        .get()
                        .get(broker)
                        .get("leader.replication.throttled.rate")
                        .source());
    }

    @Test
    void shouldMoveLeadershipBackToThePreferredReplica() throws Exception {
        // the preferred replica is not the controller, so that restarting it leaves the controller (and the
        // admin client's idea of it: ElectLeaders goes to the controller) unchanged
        int controller = admin.describeCluster().controller().get().id();
        int preferred = controller == 1 ? 2 : 1;
        List<Integer> replicas = new ArrayList<>(List.of(preferred));
        List.of(1, 2, 3).stream().filter(b -> b != preferred).forEach(replicas::add);
        admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("preferring", Map.of(0, replicas))))
                .all()
                .get();
        TopicPartition tp = new TopicPartition("preferring", 0);
        Wait.waitUntil(
                "broker " + preferred + " leads preferring-0",
                Duration.ofSeconds(20),
                () -> cluster.broker(preferred)
                        .replicaManager()
                        .partition(tp)
                        .map(p -> p.isLeader())
                        .orElse(false));
        cluster.restartBroker(preferred);
        Wait.waitUntil(
                "broker " + preferred + " back in the ISR and another broker leading", Duration.ofSeconds(30), () -> {
                    var p = describeQuietly("preferring");
                    return p != null
                            && p.leader() != null
                            && p.leader().id() != preferred
                            && p.isr().stream().anyMatch(n -> n.id() == preferred);
                });

        Map<TopicPartition, Optional<Throwable>> result = admin.electLeaders(ElectionType.PREFERRED, Set.of(tp))
                .partitions()
                .get();

        assertEquals(Optional.empty(), result.get(tp));
        Wait.waitUntil(
                "the preferred replica leads",
                Duration.ofSeconds(10),
                () -> describeQuietly("preferring").leader().id() == preferred);
        Map<TopicPartition, Optional<Throwable>> again = admin.electLeaders(ElectionType.PREFERRED, Set.of(tp))
                .partitions()
                .get();
        assertInstanceOf(
                org.apache.kafka.common.errors.ElectionNotNeededException.class,
                again.get(tp).orElseThrow());
    }

    @Test
    void shouldDescribeTheClusterAndTheLogDirs() throws Exception {
        DescribeClusterResult d = admin.describeCluster();
        assertEquals(3, d.nodes().get().size());
        assertEquals(cluster.brokers().get(0).clusterId(), d.clusterId().get());
        int controller = d.controller().get().id();
        assertTrue(cluster.broker(controller).controller().isActive());

        cluster.createTopic("sized", 1, 3);
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(
                Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false"))) {
            producer.send(new ProducerRecord<>("sized", 0, null, new byte[1000]))
                    .get();
        }
        Map<Integer, Map<String, LogDirDescription>> dirs =
                admin.describeLogDirs(List.of(1, 2, 3)).allDescriptions().get();
        for (int id = 1; id <= 3; id++) {
            Collection<LogDirDescription> mine = dirs.get(id).values();
            assertEquals(1, mine.size());
            LogDirDescription dir = mine.iterator().next();
            assertTrue(dir.totalBytes().isPresent());
            var replica = dir.replicaInfos().get(new TopicPartition("sized", 0));
            assertTrue(
                    replica != null && replica.size() > 1000,
                    "broker " + id + " reports the log of sized-0: " + replica);
        }
    }

    private static TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    /** The partition now, or null; one try gives up after 5 s so that a wait around it tries again. */
    private static org.apache.kafka.common.TopicPartitionInfo describeQuietly(String topic) {
        try {
            return admin.describeTopics(
                            List.of(topic), new org.apache.kafka.clients.admin.DescribeTopicsOptions().timeoutMs(5_000))
                    .allTopicNames()
                    .get()
                    .get(topic)
                    .partitions()
                    .get(0);
        } catch (Exception e) {
            return null;
        }
    }

    private static boolean partitionDirExists(String topic, int partition) {
        for (Broker b : cluster.brokers()) {
            Path dir = cluster.dataDir(b.brokerId()).resolve(topic + "-" + partition);
            if (Files.isDirectory(dir)) {
                return true;
            }
        }
        return false;
    }
}
