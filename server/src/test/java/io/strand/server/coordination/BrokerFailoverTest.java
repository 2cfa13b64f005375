package io.strand.server.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker killed with kill -9 in a 3-broker cluster: within the ZooKeeper session timeout (plus the
 * controller's reaction) its partitions get new leaders at epoch + 1, it leaves every ISR, and the
 * surviving brokers answer Metadata identically.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class BrokerFailoverTest {
    private static final Logger log = LoggerFactory.getLogger(BrokerFailoverTest.class);
    private static final int SESSION_TIMEOUT_MS = 6000;

    @Test
    void shouldMoveLeadersOffAKilledBrokerWithinTheSessionTimeout(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "zookeeper.session.timeout.ms=" + SESSION_TIMEOUT_MS,
                                "default.replication.factor=3",
                                "min.insync.replicas=2"
                            })
                    ProcessTestCluster cluster)
            throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic("spread", 6, (short) 3)))
                    .all()
                    .get();
            Wait.waitUntil(
                    "all partitions led",
                    Duration.ofSeconds(30),
                    () -> view(cluster, 1).size() == 6
                            && view(cluster, 1).values().stream().noneMatch(v -> v.leader() < 0));
            Map<Integer, PartitionView> before = view(cluster, 1);
            int victim = before.get(0).leader();
            long killedAt = System.nanoTime();
            cluster.broker(victim).kill();
            int survivor = victim == 1 ? 2 : 1;
            Wait.waitUntil("no partition led by the killed broker", Duration.ofSeconds(30), () -> {
                Map<Integer, PartitionView> now = view(cluster, survivor);
                return now.size() == 6
                        && now.values().stream()
                                .allMatch(v -> v.leader() != victim
                                        && v.leader() >= 0
                                        && !v.isr().contains(victim));
            });
            long ms = (System.nanoTime() - killedAt) / 1_000_000;
            log.info(
                    "Leaders moved off killed broker {} in {} ms (session timeout {} ms)",
                    victim,
                    ms,
                    SESSION_TIMEOUT_MS);
            assertTrue(ms < SESSION_TIMEOUT_MS + 5000, "failover took " + ms + " ms");

            Map<Integer, PartitionView> after = view(cluster, survivor);
            before.forEach((p, b) -> {
                PartitionView a = after.get(p);
                if (b.leader() == victim) {
                    assertEquals(b.epoch() + 1, a.epoch(), "partition " + p + " has a new leader at epoch + 1");
                } else {
                    assertEquals(b.epoch(), a.epoch(), "partition " + p + " kept its leader and epoch");
                }
                assertFalse(a.isr().contains(victim));
            });
            int other = 6 - victim - survivor;
            Wait.waitUntil(
                    "both survivors agree",
                    Duration.ofSeconds(10),
                    () -> view(cluster, survivor).equals(view(cluster, other)));
        }
    }

    record PartitionView(int leader, int epoch, List<Integer> isr) {}

    private static Map<Integer, PartitionView> view(ProcessTestCluster cluster, int broker) {
        Map<Integer, PartitionView> out = new TreeMap<>();
        try (RawKafkaConnection c =
                new RawKafkaConnection("127.0.0.1", cluster.broker(broker).port())) {
            MetadataResponse r = (MetadataResponse) c.send(
                    ApiKeys.METADATA,
                    (short) 12,
                    new MetadataRequestData()
                            .setAllowAutoTopicCreation(false)
                            .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("spread"))));
            MetadataResponseData.MetadataResponseTopic t = r.data().topics().find("spread");
            if (t != null) {
                for (MetadataResponseData.MetadataResponsePartition p : t.partitions()) {
                    out.put(p.partitionIndex(), new PartitionView(p.leaderId(), p.leaderEpoch(), p.isrNodes()));
                }
            }
        } catch (Exception e) {
            return new HashMap<>();
        }
        return out;
    }
}
