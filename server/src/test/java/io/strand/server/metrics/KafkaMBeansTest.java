package io.strand.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.Broker;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kafka's MBeans, read through the platform MBeanServer by their ObjectNames: they count what a
 * producer and a consumer group do, and a topic's go with the topic. Three brokers share this JVM,
 * so one of them has Kafka's names exactly and the others carry {@code broker=<id>} (the test reads
 * each broker's through {@link KafkaObjectNames#objectName}, and Kafka's exact names directly).
 */
@ExtendWith(StrandClusterExtension.class)
class KafkaMBeansTest {
    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    @Test
    void shouldCountTrafficUnderKafkasNamesAndDropATopicsMBeansWithIt(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "strand.metrics.jmx.enable=true",
                                "strand.metrics.consumer.lag.interval.ms=200",
                                "offsets.topic.num.partitions=3",
                                "group.initial.rebalance.delay.ms=0"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        cluster.createTopic("orders", 3, 3);
        send(cluster, 300);
        assertEquals(300, sum(cluster, BrokerTopicMetrics.key(BrokerTopicMetrics.MESSAGES_IN, null), "Count"));
        assertEquals(300, sum(cluster, BrokerTopicMetrics.key(BrokerTopicMetrics.MESSAGES_IN, "orders"), "Count"));
        assertTrue(sum(cluster, BrokerTopicMetrics.key(BrokerTopicMetrics.BYTES_IN, "orders"), "Count") > 300 * 7);

        // exactly Kafka's ObjectName strings, on the broker that has the plain names
        Broker plain = cluster.brokers().stream()
                .filter(b -> b.metrics().jmxNames().orElseThrow().plainNames())
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError(
                                "no broker of this cluster has Kafka's names: a broker of another test still runs with JMX on"));
        ObjectName produce = new ObjectName("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce");
        ObjectName partitionCount = new ObjectName("kafka.server:type=ReplicaManager,name=PartitionCount");
        assertEquals(3L, JMX.getAttribute(partitionCount, "Value"), "broker " + plain.brokerId());
        assertEquals(
                0L,
                JMX.getAttribute(
                        new ObjectName("kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions"), "Value"));
        assertEquals(
                1,
                sum(cluster, "kafka.controller:type=KafkaController,name=ActiveControllerCount", "Value"),
                "one active controller");
        assertEquals(3, sum(cluster, "kafka.server:type=ReplicaManager,name=LeaderCount", "Value"));
        long produces = sum(cluster, RequestMetrics.key(RequestMetrics.TOTAL, "Produce"), "Count");
        assertTrue(produces >= 3, "Produce requests timed: " + produces);
        for (String phase : List.of(
                RequestMetrics.REQUEST_QUEUE,
                RequestMetrics.LOCAL,
                RequestMetrics.REMOTE,
                RequestMetrics.RESPONSE_QUEUE,
                RequestMetrics.RESPONSE_SEND)) {
            assertEquals(produces, sum(cluster, RequestMetrics.key(phase, "Produce"), "Count"), phase);
        }
        // every broker leads one partition of orders, so each answered Produce requests
        double p99 = (Double) JMX.getAttribute(produce, "99thPercentile");
        double mean = (Double) JMX.getAttribute(produce, "Mean");
        assertTrue(p99 > 0 && mean > 0 && p99 < 30_000, p99 + " / " + mean + " ms");
        assertTrue(
                !JMX.queryNames(
                                new ObjectName(
                                        "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce,*"),
                                null)
                        .isEmpty(),
                "RequestsPerSec per version");
        Wait.waitUntil(
                "followers' fetches timed as FetchFollower",
                Duration.ofSeconds(10),
                () -> sum(cluster, RequestMetrics.key(RequestMetrics.TOTAL, "FetchFollower"), "Count") > 0);
        assertTrue(sum(cluster, BrokerTopicMetrics.key("ReplicationBytesInPerSec", null), "Count") > 0);

        // a group consumes everything and commits; 30 more records are its lag
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "billing",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            consumer.subscribe(List.of("orders"));
            int read = 0;
            long deadline = System.currentTimeMillis() + 30_000;
            while (read < 300 && System.currentTimeMillis() < deadline) {
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertEquals(300, read);
            consumer.commitSync();
        }
        assertTrue(sum(cluster, RequestMetrics.key(RequestMetrics.TOTAL, "FetchConsumer"), "Count") > 0);
        assertTrue(sum(cluster, BrokerTopicMetrics.key(BrokerTopicMetrics.BYTES_OUT, "orders"), "Count") > 300 * 7);
        ObjectName lagOfBilling = new ObjectName("kafka.server:type=ConsumerLag,name=ConsumerLag,group=billing,*");
        Wait.waitUntil("the group's lag is 0 on its three partitions", Duration.ofSeconds(15), () -> {
            Set<ObjectName> lags = JMX.queryNames(lagOfBilling, null);
            return lags.size() == 3 && sumOf(lags, "Value") == 0;
        });
        send(cluster, 30);
        Wait.waitUntil(
                "the group's lag is the 30 records written since its commit",
                Duration.ofSeconds(15),
                () -> sumOf(JMX.queryNames(lagOfBilling, null), "Value") == 30);

        assertTrue(sum(cluster, "kafka.log:type=LogFlushStats,name=LogFlushRateAndTimeMs", "Count") > 0);
        assertTrue(
                sum(cluster, "kafka.server:type=ZooKeeperClientMetrics,name=ZooKeeperRequestLatencyMs", "Count") > 0);
        assertEquals(
                "CONNECTED",
                JMX.getAttribute(new ObjectName("kafka.server:type=SessionExpireListener,name=SessionState"), "Value"));
        assertEquals(
                3,
                sum(
                        cluster,
                        KafkaMetricNames.name(
                                "kafka.cluster", "Partition", "ReplicasCount", "topic", "orders", "partition", "0"),
                        "Value"),
                "the leader of orders-0 reports its three replicas, the others 0");

        // a deleted topic leaves no MBean behind, on any broker
        ObjectName ofOrders = new ObjectName("kafka.*:topic=orders,*");
        assertTrue(JMX.queryNames(ofOrders, null).size() >= 3 * (3 + 3 * (6 + 4)));
        try (Admin admin = cluster.admin()) {
            admin.deleteTopics(List.of("orders")).all().get();
        }
        Wait.waitUntil(
                "no MBean of topic orders is left",
                Duration.ofSeconds(20),
                () -> JMX.queryNames(ofOrders, null).isEmpty(),
                () -> JMX.queryNames(ofOrders, null).toString());
        for (Broker b : cluster.brokers()) {
            assertTrue(
                    b.metrics().registry().getNames().stream().noneMatch(k -> k.contains("topic=orders")),
                    "broker " + b.brokerId() + "'s registry");
        }
    }

    /** Writes {@code n} records of at least 8 bytes to the three partitions of orders, and waits for their acks. */
    private static void send(StrandTestCluster cluster, int n) throws Exception {
        List<java.util.concurrent.Future<?>> acks = new java.util.ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < n; i++) {
                byte[] value = ("order-" + i).getBytes(StandardCharsets.UTF_8);
                acks.add(producer.send(new ProducerRecord<>("orders", i % 3, null, value)));
            }
            for (java.util.concurrent.Future<?> ack : acks) {
                ack.get();
            }
        }
    }

    /** The sum of {@code attribute} of metric {@code key} over the cluster's brokers (each under its JMX name). */
    private static long sum(StrandTestCluster cluster, String key, String attribute) throws Exception {
        long total = 0;
        for (Broker b : cluster.brokers()) {
            ObjectName name = b.metrics().jmxNames().orElseThrow().objectName(key);
            if (JMX.isRegistered(name)) {
                total += ((Number) JMX.getAttribute(name, attribute)).longValue();
            }
        }
        return total;
    }

    private static long sumOf(Set<ObjectName> names, String attribute) throws Exception {
        long total = 0;
        for (ObjectName n : names) {
            total += ((Number) JMX.getAttribute(n, attribute)).longValue();
        }
        return total;
    }
}
