package io.strand.server.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.TopicView;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * auto.leader.rebalance.enable: after a broker comes back, the controller moves leadership back to
 * the preferred replicas once the imbalance passes leader.imbalance.per.broker.percentage.
 */
@ExtendWith(StrandClusterExtension.class)
class PreferredLeaderTest {
    @Test
    void shouldGiveLeadershipBackToTheReturningPreferredReplica(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "auto.leader.rebalance.enable=true",
                                "leader.imbalance.check.interval.seconds=1",
                                "leader.imbalance.per.broker.percentage=10"
                            })
                    StrandTestCluster cluster)
            throws Exception {
        cluster.createTopic("balanced", 6, 3);
        int victim = cluster.brokers().stream()
                .filter(b -> !b.controller().isActive())
                .findFirst()
                .orElseThrow()
                .brokerId();
        cluster.stopBroker(victim);
        int observer = cluster.brokers().get(0).brokerId();
        Wait.waitUntil(
                "no partition led by broker " + victim,
                Duration.ofSeconds(20),
                () -> view(cluster, observer).partitionsSnapshot().stream().allMatch(p -> p.leader() != victim));
        view(cluster, observer).partitionsSnapshot().forEach(p -> assertNotEquals(victim, p.leader()));

        cluster.startBroker(victim);
        Wait.waitUntil(
                "every partition led by its preferred replica again",
                Duration.ofSeconds(40),
                () -> view(cluster, observer).partitionsSnapshot().stream()
                        .allMatch(p -> p.leader() == p.replicas().get(0)));
        for (PartitionInfo p : view(cluster, observer).partitionsSnapshot()) {
            assertEquals(p.replicas().get(0), p.leader(), p.topicPartition() + " led by its preferred replica");
        }
    }

    private static TopicView view(StrandTestCluster cluster, int broker) {
        return cluster.broker(broker).metadataCache().topic("balanced").orElseThrow();
    }
}
