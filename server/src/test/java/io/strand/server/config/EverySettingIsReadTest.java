package io.strand.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strand.server.Broker;
import io.strand.server.BrokerConfig;
import io.strand.server.StorageSettingsDefinition;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A setting either works or stops the start: every key the broker accepts and documents must be
 * read by the running broker. The brokers here start, create topics (with and without explicit
 * partitions and replication factor, and by auto-creation) and replicate, so that settings read on
 * those paths are read; a key that no code reads fails the test, named.
 */
@ExtendWith(StrandClusterExtension.class)
class EverySettingIsReadTest {
    @Test
    void shouldReadEveryDefinedSettingWhenTheBrokersRun(
            @BrokerCluster(brokers = 2, properties = "min.insync.replicas=1") StrandTestCluster cluster,
            StrandTestCluster single)
            throws Exception {
        Set<String> read = new TreeSet<>();
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic("explicit", 1, (short) 2)))
                    .all()
                    .get();
            admin.createTopics(
                            List.of(new NewTopic("defaults", java.util.Optional.empty(), java.util.Optional.empty())))
                    .all()
                    .get();
        }
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of())) {
            producer.send(new ProducerRecord<>("explicit", 0, null, "x".getBytes()))
                    .get();
            producer.send(new ProducerRecord<>("auto-created", "y".getBytes())).get();
        }
        TopicPartition explicit = new TopicPartition("explicit", 0);
        Wait.waitUntil(
                "both replicas of explicit-0 hold the record",
                Duration.ofSeconds(30),
                () -> cluster.brokers().stream()
                        .allMatch(b -> b.replicaManager()
                                        .partition(explicit)
                                        .map(p -> p.log().logEndOffset())
                                        .orElse(0L)
                                == 1L));
        for (Broker b : cluster.brokers()) {
            read.addAll(b.config().keysRead());
        }
        // log.dir is the fallback of log.dirs: read only by a broker configured with it alone
        Map<String, String> props = new java.util.HashMap<>(single.brokerProperties(2));
        props.put(StorageSettingsDefinition.LOG_DIR, props.remove(StorageSettingsDefinition.LOG_DIRS));
        try (Broker b = new Broker(BrokerConfig.of(props)).start()) {
            read.addAll(b.config().keysRead());
        }
        Set<String> unread = new TreeSet<>(BrokerConfig.definition().names());
        unread.removeAll(read);
        assertEquals(
                Set.of(),
                unread,
                "settings the broker accepts but never reads (read them, or list them as accepted without effect)");
    }
}
