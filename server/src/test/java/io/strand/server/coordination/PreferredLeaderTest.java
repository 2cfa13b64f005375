package io.strand.server.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.TopicView;
import io.strand.server.BrokerConfig;
import io.strand.server.testing.StrandTestCluster;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * auto.leader.rebalance.enable: after a broker comes back, the controller moves leadership back to
 * the preferred replicas once the imbalance passes leader.imbalance.per.broker.percentage.
 */
class PreferredLeaderTest {
    @Test
    void shouldGiveLeadershipBackToTheReturningPreferredReplica() throws Exception {
        try (StrandTestCluster cluster = StrandTestCluster.start(
                3,
                Map.of(
                        BrokerConfig.AUTO_LEADER_REBALANCE_ENABLE, "true",
                        BrokerConfig.LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS, "1",
                        BrokerConfig.LEADER_IMBALANCE_PER_BROKER_PERCENTAGE, "10"))) {
            cluster.createTopic("balanced", 6, 3);
            int victim = cluster.brokers().stream()
                    .filter(b -> !b.controller().isActive())
                    .findFirst()
                    .orElseThrow()
                    .brokerId();
            cluster.stopBroker(victim);
            int observer = cluster.brokers().get(0).brokerId();
            StrandTestCluster.waitUntil(
                    "no partition led by broker " + victim,
                    Duration.ofSeconds(20),
                    () -> view(cluster, observer).partitionsSnapshot().stream().allMatch(p -> p.leader() != victim));
            view(cluster, observer).partitionsSnapshot().forEach(p -> assertNotEquals(victim, p.leader()));

            cluster.startBroker(victim);
            StrandTestCluster.waitUntil(
                    "every partition led by its preferred replica again",
                    Duration.ofSeconds(40),
                    () -> view(cluster, observer).partitionsSnapshot().stream()
                            .allMatch(p -> p.leader() == p.replicas().get(0)));
            for (PartitionInfo p : view(cluster, observer).partitionsSnapshot()) {
                assertEquals(p.replicas().get(0), p.leader(), p.topicPartition() + " led by its preferred replica");
            }
        }
    }

    private static TopicView view(StrandTestCluster cluster, int broker) {
        return cluster.broker(broker).metadataCache().topic("balanced").orElseThrow();
    }
}
