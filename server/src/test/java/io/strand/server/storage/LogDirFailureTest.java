package io.strand.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.LogDirStatus;
import io.strand.coordinator.proto.UnavailableLogDir;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.BrokerProcess;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.testing.BackgroundProducer;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A log directory that fails under load is taken offline with every replica in it, and only those:
 * broker 1 has two log directories; one is replaced by a file under the running broker (its next
 * file operation fails in the operating system). Its partitions get new leaders and lose broker 1
 * from their ISRs within seconds; the partitions in the other directory keep broker 1 as leader and
 * ISR member; the registration, DescribeLogDirs and the metrics say which directory and partitions.
 * When the second directory fails too, broker 1 stops (exit status 1) and its last leaderships move.
 * Under an idempotent acks=all producer nothing acknowledged is lost, duplicated or reordered.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class LogDirFailureTest {
    private static final Logger log = LoggerFactory.getLogger(LogDirFailureTest.class);
    private static final String TOPIC = "jbod";
    private static final int PARTITIONS = 6;
    /** The failover goal is 3 s (issue 12); detection takes up to 1 s more, and CI gets room. */
    private static final Duration MOVED_WITHIN = Duration.ofSeconds(10);

    @Test
    void shouldMoveOnlyTheReplicasOfAFailedLogDirectoryAndStopWhenEveryDirectoryFailed(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "min.insync.replicas=2",
                                "zookeeper.session.timeout.ms=30000",
                                "replica.lag.time.max.ms=5000",
                                "@1.log.dirs={dir}/data-a,{dir}/data-b"
                            })
                    ProcessTestCluster cluster)
            throws Exception {
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        BrokerProcess broker1 = cluster.broker(1);
        Path dirA = broker1.dir().resolve("data-a");
        Path dirB = broker1.dir().resolve("data-b");
        try (Admin admin = cluster.admin();
                CuratorFramework zk = ZooKeeperConnection.connect(cluster.zookeeperConnect(), 30_000, 10_000);
                BackgroundProducer load = cluster.startLoad(validator, TOPIC, PARTITIONS);
                KafkaProducer<byte[], byte[]> probe = cluster.producer(Map.of(
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                        ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50",
                        ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "200",
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000",
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000"))) {
            load.awaitAcknowledged(300, Duration.ofSeconds(60));
            awaitFullIsrs(admin);
            List<Integer> inA = partitionsIn(dirA);
            List<Integer> inB = partitionsIn(dirB);
            assertEquals(PARTITIONS, inA.size() + inB.size(), "broker 1 holds every partition");
            assertFalse(inA.isEmpty() || inB.isEmpty(), "both directories hold partitions: " + inA + " " + inB);
            log.info("broker 1 holds {} in {} and {} in {}", inA, dirA, inB, dirB);

            // the fault: directory a is replaced by a file under the running broker
            Files.move(dirA, broker1.dir().resolve("data-a.failed"));
            Files.writeString(dirA, "not a directory any more");
            long failed = System.nanoTime();
            for (int p : inA) {
                validator.send(probe, TOPIC, p, "probe-" + p, "after-a").get();
            }
            long writableMs = (System.nanoTime() - failed) / 1_000_000;
            Wait.waitUntil("broker 1 leads none and is in no ISR of the partitions in " + dirA, MOVED_WITHIN, () -> {
                for (TopicPartitionInfo p : describe(admin).partitions()) {
                    boolean has1 = p.isr().stream().anyMatch(n -> n.id() == 1);
                    if (inA.contains(p.partition())
                            && (p.leader() == null || p.leader().id() == 1 || has1)) {
                        return false;
                    }
                }
                return true;
            });
            long movedMs = (System.nanoTime() - failed) / 1_000_000;
            log.info(
                    "{} failed: acks=all writes to {} succeeded after {} ms; leaderships and ISRs moved after {} ms",
                    dirA,
                    inA,
                    writableMs,
                    movedMs);
            for (TopicPartitionInfo p : describe(admin).partitions()) {
                if (inB.contains(p.partition())) {
                    assertTrue(
                            p.isr().stream().anyMatch(n -> n.id() == 1),
                            "broker 1 stays in the ISR of " + p + " (its log is in the healthy directory)");
                }
            }

            UnavailableLogDir reported = registration(zk, 1).orElseThrow().getUnavailableLogDirsList().stream()
                    .filter(d -> d.getPath().equals(dirA.toString()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("broker 1's registration names " + dirA));
            assertEquals(LogDirStatus.OFFLINE, reported.getStatus());
            assertEquals(
                    new TreeSet<>(inA),
                    new TreeSet<>(reported.getPartitionsList().stream()
                            .map(r -> r.getPartition())
                            .toList()));
            Map<String, LogDirDescription> dirs =
                    admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1);
            assertInstanceOf(
                    KafkaStorageException.class, dirs.get(dirA.toString()).error(), dirs.toString());
            assertEquals(null, dirs.get(dirB.toString()).error());
            assertTrue(Files.readString(broker1.logFile()).contains("Log directory " + dirA + " is offline"));

            load.awaitAcknowledged(validator.acknowledgedCount() + 300, Duration.ofSeconds(60));

            // the second directory fails: broker 1 can host nothing and stops
            Files.move(dirB, broker1.dir().resolve("data-b.failed"));
            Files.writeString(dirB, "not a directory any more");
            Wait.waitUntil("broker 1 stops", Duration.ofSeconds(30), () -> !broker1.isAlive());
            assertEquals(1, broker1.exitValue(), "a broker without a usable log directory exits with status 1");
            Wait.waitUntil(
                    "the partitions broker 1 led have other leaders",
                    Duration.ofSeconds(30),
                    () -> describe(admin).partitions().stream()
                            .allMatch(p -> p.leader() != null && p.leader().id() != 1));
            load.awaitAcknowledged(validator.acknowledgedCount() + 300, Duration.ofSeconds(60));
            load.stop(Duration.ofMinutes(2));
        }
        assertEveryAcknowledgedRecordOnceInOrder(cluster, validator);
    }

    /**
     * A disk that dies while its broker is down: broker 1, killed, restarts with one of its two log
     * directories unusable. It starts with the other, reports the partitions it cannot host (their
     * logs may be in the dead directory, so it creates no empty ones in their place), and the
     * controller moves their leaderships and takes broker 1 out of their ISRs.
     */
    @Test
    void shouldReportThePartitionsOfADirectoryThatFailedWhileTheBrokerWasDown(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "min.insync.replicas=2",
                                "zookeeper.session.timeout.ms=30000",
                                "replica.lag.time.max.ms=5000",
                                "@1.log.dirs={dir}/data-a,{dir}/data-b"
                            })
                    ProcessTestCluster cluster)
            throws Exception {
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        BrokerProcess broker1 = cluster.broker(1);
        Path dirA = broker1.dir().resolve("data-a");
        try (Admin admin = cluster.admin();
                CuratorFramework zk = ZooKeeperConnection.connect(cluster.zookeeperConnect(), 30_000, 10_000);
                BackgroundProducer load = cluster.startLoad(validator, TOPIC, PARTITIONS)) {
            load.awaitAcknowledged(300, Duration.ofSeconds(60));
            awaitFullIsrs(admin);
            List<Integer> inA = partitionsIn(dirA);
            assertFalse(inA.isEmpty());

            broker1.kill();
            Files.move(dirA, broker1.dir().resolve("data-a.failed"));
            Files.writeString(dirA, "not a directory any more");
            broker1.start();
            Wait.waitUntil(
                    "broker 1 is back in the ISRs of the partitions it can host, and out of the others",
                    Duration.ofSeconds(60),
                    () -> describe(admin).partitions().stream().allMatch(p -> {
                        boolean in1 = p.isr().stream().anyMatch(n -> n.id() == 1);
                        return inA.contains(p.partition())
                                ? !in1 && p.leader() != null && p.leader().id() != 1
                                : in1;
                    }));
            // the restarted broker reports the partitions it cannot host as it is asked to host them
            Wait.waitUntil(
                    "broker 1's registration names " + dirA + " offline with " + inA,
                    Duration.ofSeconds(30),
                    () -> registration(zk, 1)
                            .map(r -> r.getUnavailableLogDirsList().stream()
                                    .anyMatch(d -> d.getPath().equals(dirA.toString())
                                            && d.getStatus() == LogDirStatus.OFFLINE
                                            && new TreeSet<>(inA)
                                                    .equals(new TreeSet<>(d.getPartitionsList().stream()
                                                            .map(x -> x.getPartition())
                                                            .toList()))))
                            .orElse(false));
            load.awaitAcknowledged(validator.acknowledgedCount() + 300, Duration.ofSeconds(60));
            load.stop(Duration.ofMinutes(2));
        }
        assertEveryAcknowledgedRecordOnceInOrder(cluster, validator);
    }

    private static void awaitFullIsrs(Admin admin) throws InterruptedException {
        Wait.waitUntil(
                "every ISR is full",
                Duration.ofSeconds(30),
                () -> describe(admin).partitions().stream()
                        .allMatch(p -> p.isr().size() == 3));
    }

    /** Only retriable send failures, and every acknowledged record read back once, in order. */
    private static void assertEveryAcknowledgedRecordOnceInOrder(
            ProcessTestCluster cluster, ProduceConsumeValidator validator) throws Exception {
        validator.assertOnlyRetriableSendFailures();
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            validator.consumeToEnd(consumer, TOPIC, PARTITIONS, Duration.ofSeconds(60));
        }
        log.info("{}", validator.summary());
        validator.assertEveryAcknowledgedRecordOnceInOrder();
    }

    private static List<Integer> partitionsIn(Path dir) throws Exception {
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, TOPIC + "-*")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                out.add(Integer.parseInt(name.substring(name.lastIndexOf('-') + 1)));
            }
        }
        out.sort(null);
        return out;
    }

    private static Optional<BrokerRegistration> registration(CuratorFramework zk, int id) {
        return new MetadataStore(zk)
                .read(Znodes.broker(id), BrokerRegistration.parser())
                .map(Versioned::value);
    }

    private static TopicDescription describe(Admin admin) throws Exception {
        TopicDescription d =
                admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
        assertNotNull(d);
        return d;
    }
}
