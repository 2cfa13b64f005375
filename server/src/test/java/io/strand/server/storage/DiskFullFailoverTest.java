package io.strand.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.LogDirStatus;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.testing.BackgroundProducer;
import io.strand.testing.DiskFiller;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker's disk fills up under load, and nothing stalls for long: broker 1's free-space floor
 * is set 150 MiB below what its file system has free, then a 300 MiB filler file takes it below.
 * Broker 1 refuses appends (nothing half-written), reports the directory in its registration, and
 * the controller moves its leaderships and takes it out of the ISRs, so acks=all writes to the
 * partitions it led succeed again within seconds. Once the filler is deleted broker 1 fetches
 * again, rejoins every ISR and, elected preferred leader, takes writes again, all without a
 * restart. Under an idempotent acks=all producer nothing acknowledged is lost, duplicated or
 * reordered. The cluster is started here rather than by the extension because broker 1's floor
 * depends on the free space.
 */
@SystemTest
class DiskFullFailoverTest {
    private static final Logger log = LoggerFactory.getLogger(DiskFullFailoverTest.class);
    private static final String TOPIC = "full";
    private static final int PARTITIONS = 6;
    private static final long HEADROOM = 150L << 20;
    private static final long FILLER_BYTES = 300L << 20;
    /** The failover goal is 3 s (issue 12); detection takes up to 1 s more, and CI gets room. */
    private static final Duration WRITABLE_WITHIN = Duration.ofSeconds(10);

    @Test
    void shouldMoveLeadershipOffAFullBrokerAndTakeItBackWithoutARestartOnceSpaceIsFreed() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long floor = Files.getFileStore(tmp).getUsableSpace() - HEADROOM;
        Path filler = Files.createTempFile(tmp, "strand-filler", ".bin");
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (ProcessTestCluster cluster = new ProcessTestCluster(
                        3,
                        Map.of(
                                "min.insync.replicas", "2",
                                "zookeeper.session.timeout.ms", "30000",
                                "replica.lag.time.max.ms", "5000",
                                "@1.log.dir.free.bytes.min", Long.toString(floor)));
                Admin admin = cluster.admin();
                CuratorFramework zk = ZooKeeperConnection.connect(cluster.zookeeperConnect(), 30_000, 10_000);
                KafkaProducer<byte[], byte[]> probe = cluster.producer(Map.of(
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                        ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50",
                        ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "200",
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000",
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000"))) {
            try (BackgroundProducer load = cluster.startLoad(validator, TOPIC, PARTITIONS)) {
                load.awaitAcknowledged(300, Duration.ofSeconds(60));
                awaitFullIsrs(admin);
                List<Integer> led = ledBy(admin, 1);
                assertTrue(
                        !led.isEmpty(),
                        "broker 1 leads some partitions: " + describe(admin).partitions());

                DiskFiller.fill(filler, FILLER_BYTES);
                long filled = System.nanoTime();
                for (int p : led) {
                    validator.send(probe, TOPIC, p, "probe-" + p, "full").get();
                }
                long writableMs = (System.nanoTime() - filled) / 1_000_000;
                log.info("broker 1 below its floor: acks=all writes to {} succeeded after {} ms", led, writableMs);
                assertTrue(
                        writableMs <= WRITABLE_WITHIN.toMillis(),
                        "writes resumed " + writableMs + " ms after the disk filled, more than " + WRITABLE_WITHIN);
                Wait.waitUntil(
                        "broker 1 leads nothing and is in no ISR",
                        Duration.ofSeconds(30),
                        () -> describe(admin).partitions().stream()
                                .allMatch(p -> p.leader() != null
                                        && p.leader().id() != 1
                                        && p.isr().stream().noneMatch(n -> n.id() == 1)));
                BrokerRegistration reg = registration(zk);
                assertEquals(1, reg.getUnavailableLogDirsCount(), reg.toString());
                assertEquals(
                        LogDirStatus.BELOW_FREE_SPACE_FLOOR,
                        reg.getUnavailableLogDirs(0).getStatus());
                load.awaitAcknowledged(validator.acknowledgedCount() + 300, Duration.ofSeconds(60));

                Files.delete(filler);
                long freed = System.nanoTime();
                Wait.waitUntil(
                        "broker 1 back in every ISR",
                        Duration.ofSeconds(60),
                        () -> describe(admin).partitions().stream()
                                .allMatch(p -> p.isr().stream().anyMatch(n -> n.id() == 1)));
                log.info(
                        "space freed: broker 1 back in every ISR after {} ms", (System.nanoTime() - freed) / 1_000_000);
                assertEquals(0, registration(zk).getUnavailableLogDirsCount());
                Set<TopicPartition> preferredBy1 = describe(admin).partitions().stream()
                        .filter(p -> p.replicas().get(0).id() == 1)
                        .map(p -> new TopicPartition(TOPIC, p.partition()))
                        .collect(Collectors.toSet());
                admin.electLeaders(ElectionType.PREFERRED, preferredBy1).all().get();
                // The election is in ZooKeeper when it returns; brokers' metadata follows moments later.
                List<Integer> ledAgain = Wait.waitFor(
                        "broker 1 leads its preferred partitions " + preferredBy1 + " again",
                        Duration.ofSeconds(10),
                        () -> ledBy(admin, 1),
                        l -> l.size() == preferredBy1.size());
                for (int p : ledAgain) {
                    validator.send(probe, TOPIC, p, "probe-" + p, "freed").get();
                }
                load.awaitAcknowledged(validator.acknowledgedCount() + 300, Duration.ofSeconds(60));
                load.stop(Duration.ofMinutes(2));
            }
            validator.assertOnlyRetriableSendFailures();
            try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
                validator.consumeToEnd(consumer, TOPIC, PARTITIONS, Duration.ofSeconds(60));
            }
            log.info("{}", validator.summary());
            validator.assertEveryAcknowledgedRecordOnceInOrder();
        } finally {
            Files.deleteIfExists(filler);
        }
    }

    private static void awaitFullIsrs(Admin admin) throws InterruptedException {
        Wait.waitUntil(
                "every ISR is full",
                Duration.ofSeconds(30),
                () -> describe(admin).partitions().stream()
                        .allMatch(p -> p.isr().size() == 3));
    }

    private static List<Integer> ledBy(Admin admin, int broker) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (TopicPartitionInfo p : describe(admin).partitions()) {
            if (p.leader() != null && p.leader().id() == broker) {
                out.add(p.partition());
            }
        }
        return out;
    }

    private static BrokerRegistration registration(CuratorFramework zk) {
        return new MetadataStore(zk)
                .read(Znodes.broker(1), BrokerRegistration.parser())
                .map(Versioned::value)
                .orElseThrow();
    }

    private static TopicDescription describe(Admin admin) throws Exception {
        return admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
    }
}
