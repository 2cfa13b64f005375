package io.strand.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The names kafka-2_0_0.yml gives Kafka's MBean attributes, as dashboards query them. */
class JmxExporterRulesTest {
    @Test
    void shouldNameKafkasMBeansAsTheJmxExportersKafkaRulesDo() {
        assertSample(
                "kafka_server_replicamanager_underreplicatedpartitions",
                JmxExporterRules.Type.GAUGE,
                Map.of(),
                "kafka.server",
                "type=ReplicaManager,name=UnderReplicatedPartitions",
                "Value");
        assertSample(
                "kafka_server_brokertopicmetrics_messagesin_total",
                JmxExporterRules.Type.COUNTER,
                Map.of(),
                "kafka.server",
                "type=BrokerTopicMetrics,name=MessagesInPerSec",
                "Count");
        assertSample(
                "kafka_server_brokertopicmetrics_bytesin_total",
                JmxExporterRules.Type.COUNTER,
                Map.of("topic", "orders"),
                "kafka.server",
                "type=BrokerTopicMetrics,name=BytesInPerSec,topic=orders",
                "Count");
        assertSample(
                "kafka_network_requestmetrics_requests_total",
                JmxExporterRules.Type.COUNTER,
                Map.of("request", "Produce", "version", "9"),
                "kafka.network",
                "type=RequestMetrics,name=RequestsPerSec,request=Produce,version=9",
                "Count");
        assertSample(
                "kafka_network_requestmetrics_totaltimems",
                JmxExporterRules.Type.GAUGE,
                Map.of("request", "FetchConsumer", "quantile", "0.99"),
                "kafka.network",
                "type=RequestMetrics,name=TotalTimeMs,request=FetchConsumer",
                "99thPercentile");
        assertSample(
                "kafka_network_requestmetrics_totaltimems",
                JmxExporterRules.Type.GAUGE,
                Map.of("request", "Produce", "quantile", "0.50"),
                "kafka.network",
                "type=RequestMetrics,name=TotalTimeMs,request=Produce",
                "50thPercentile");
        assertSample(
                "kafka_network_requestmetrics_totaltimems_count",
                JmxExporterRules.Type.COUNTER,
                Map.of("request", "Produce"),
                "kafka.network",
                "type=RequestMetrics,name=TotalTimeMs,request=Produce",
                "Count");
        assertSample(
                "kafka_controller_controllerstats_leaderelectionrateandtimems",
                JmxExporterRules.Type.GAUGE,
                Map.of("quantile", "0.999"),
                "kafka.controller",
                "type=ControllerStats,name=LeaderElectionRateAndTimeMs",
                "999thPercentile");
        assertSample(
                "kafka_controller_controllerstats_uncleanleaderelections_total",
                JmxExporterRules.Type.COUNTER,
                Map.of(),
                "kafka.controller",
                "type=ControllerStats,name=UncleanLeaderElectionsPerSec",
                "Count");
        assertSample(
                "kafka_server_replicafetchermanager_maxlag",
                JmxExporterRules.Type.GAUGE,
                Map.of("clientId", "Replica"),
                "kafka.server",
                "type=ReplicaFetcherManager,name=MaxLag,clientId=Replica",
                "Value");
        assertSample(
                "kafka_cluster_partition_underreplicated",
                JmxExporterRules.Type.GAUGE,
                Map.of("topic", "orders", "partition", "3"),
                "kafka.cluster",
                "type=Partition,name=UnderReplicated,topic=orders,partition=3",
                "Value");
        assertSample(
                "kafka_server_sessionexpirelistener_zookeeperexpires_total",
                JmxExporterRules.Type.COUNTER,
                Map.of(),
                "kafka.server",
                "type=SessionExpireListener,name=ZooKeeperExpiresPerSec",
                "Count");
        // the rule set exports counts, gauges and percentiles only
        assertNull(JmxExporterRules.match(
                "kafka.server", "type=BrokerTopicMetrics,name=MessagesInPerSec", "OneMinuteRate", 1.0));
        assertNull(JmxExporterRules.match(
                "kafka.network", "type=RequestMetrics,name=TotalTimeMs,request=Produce", "Mean", 1.0));
    }

    private static void assertSample(
            String name,
            JmxExporterRules.Type type,
            Map<String, String> labels,
            String domain,
            String keyProperties,
            String attribute) {
        assertEquals(
                new JmxExporterRules.Sample(name, type, labels),
                JmxExporterRules.match(domain, keyProperties, attribute, 12.0),
                domain + ":" + keyProperties + " " + attribute);
    }
}
