package io.strand.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.TopicAssignments;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.proto.PartitionState;
import io.strand.coordinator.proto.TopicAssignment;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Invariant 1: a create-topic race between any number of callers on any brokers ends with one
 * assignment, unchanged afterwards, seen identically by every broker.
 */
@ExtendWith(StrandClusterExtension.class)
class CreateTopicRaceTest {
    private static final int BROKERS = 3;
    private static final int CREATORS = 9;
    private static final int AUTO_CREATE_PARTITIONS = 6;

    /** What one racing caller saw. */
    private record Outcome(int broker, String path, int askedPartitions, Errors error) {}

    @Test
    void shouldEndEveryRaceWithOneAssignmentSeenIdenticallyByEveryBroker(
            @BrokerCluster(
                            brokers = BROKERS,
                            properties = {"num.partitions=" + AUTO_CREATE_PARTITIONS, "auto.create.topics.enable=true"})
                    StrandTestCluster cluster)
            throws Exception {
        try (CuratorFramework zk = ZooKeeperConnection.connect(cluster.zookeeperConnect(), 10_000, 10_000)) {
            MetadataStore store = new MetadataStore(zk);
            ExecutorService pool = Executors.newFixedThreadPool(CREATORS);
            try {
                for (int round = 0; round < 5; round++) {
                    race(cluster, store, pool, "race-" + round);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private void race(StrandTestCluster cluster, MetadataStore store, ExecutorService pool, String topic)
            throws Exception {
        CyclicBarrier start = new CyclicBarrier(CREATORS);
        List<Future<Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < CREATORS; i++) {
            int broker = i % BROKERS + 1;
            int partitions = 1 + i % 4;
            boolean autoCreate = i % 3 == 2;
            Callable<Outcome> creator = () -> {
                try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(broker))) {
                    start.await();
                    if (autoCreate) {
                        MetadataResponse r = (MetadataResponse) c.send(
                                ApiKeys.METADATA,
                                (short) 12,
                                new MetadataRequestData()
                                        .setAllowAutoTopicCreation(true)
                                        .setTopics(List.of(
                                                new MetadataRequestData.MetadataRequestTopic().setName(topic))));
                        return new Outcome(
                                broker,
                                "metadata",
                                AUTO_CREATE_PARTITIONS,
                                Errors.forCode(r.data().topics().find(topic).errorCode()));
                    }
                    CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs(10_000);
                    req.topics()
                            .add(new CreateTopicsRequestData.CreatableTopic()
                                    .setName(topic)
                                    .setNumPartitions(partitions)
                                    .setReplicationFactor((short) 1));
                    CreateTopicsResponse r = (CreateTopicsResponse) c.send(ApiKeys.CREATE_TOPICS, (short) 7, req);
                    return new Outcome(
                            broker,
                            "create-topics",
                            partitions,
                            Errors.forCode(r.data().topics().find(topic).errorCode()));
                }
            };
            futures.add(pool.submit(creator));
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (Future<Outcome> f : futures) {
            outcomes.add(f.get());
        }

        // exactly one assignment in ZooKeeper, written once
        Versioned<TopicAssignment> written =
                store.read(Znodes.topic(topic), TopicAssignment.parser()).orElseThrow();
        assertEquals(0, written.version(), "the topic znode is written once, never overwritten");
        int partitions = written.value().getPartitionsCount();
        List<Outcome> createWinners = outcomes.stream()
                .filter(o -> o.path().equals("create-topics") && o.error() == Errors.NONE)
                .toList();
        assertTrue(createWinners.size() <= 1, "at most one CreateTopics succeeds: " + outcomes);
        for (Outcome o : outcomes) {
            if (o.path().equals("create-topics") && o.error() != Errors.NONE) {
                assertEquals(Errors.TOPIC_ALREADY_EXISTS, o.error(), "a losing CreateTopics: " + o);
            }
        }
        if (createWinners.size() == 1) {
            assertEquals(createWinners.get(0).askedPartitions(), partitions, "the winner's partition count");
        } else {
            assertEquals(AUTO_CREATE_PARTITIONS, partitions, "auto-creation won: " + outcomes);
        }

        // every broker shows exactly that assignment, with the leaders the state znodes hold
        Map<Integer, String> expected = expectedView(store, topic, written.value());
        for (int broker = 1; broker <= BROKERS; broker++) {
            int b = broker;
            Wait.waitUntil(
                    "broker " + b + " shows " + topic,
                    Duration.ofSeconds(10),
                    () -> expected.equals(metadataView(cluster, b, topic)));
        }

        // unchanged afterwards. Every racing caller has had its answer, which comes after its write; what
        // could still write is the brokers reacting to the creation (a leader's ISR change, a controller's
        // election). Once each partition's leader acts as leader at the created epoch, nothing is left to react
        // to (replication factor 1: no follower to drop from the ISR), so the znodes are final.
        for (int p = 0; p < partitions; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            PartitionState state = store.read(Znodes.partitionState(topic, p), PartitionState.parser())
                    .orElseThrow()
                    .value();
            Wait.waitUntil(
                    "broker " + state.getLeader() + " acts as leader of " + tp + " at epoch " + state.getLeaderEpoch(),
                    Duration.ofSeconds(10),
                    () -> cluster.broker(state.getLeader())
                            .replicaManager()
                            .partition(tp)
                            .map(x -> x.isLeader() && x.leaderEpoch() == state.getLeaderEpoch())
                            .orElse(false));
        }
        assertEquals(
                written,
                store.read(Znodes.topic(topic), TopicAssignment.parser()).orElseThrow());
        for (int p = 0; p < partitions; p++) {
            assertEquals(
                    0,
                    store.read(Znodes.partitionState(topic, p), PartitionState.parser())
                            .orElseThrow()
                            .version(),
                    "state of partition " + p + " untouched after creation");
        }
    }

    private static Map<Integer, String> expectedView(MetadataStore store, String topic, TopicAssignment a) {
        Map<Integer, String> view = new TreeMap<>();
        TopicAssignments.replicas(a).forEach((p, replicas) -> {
            PartitionState s = store.read(Znodes.partitionState(topic, p), PartitionState.parser())
                    .orElseThrow()
                    .value();
            view.put(
                    p,
                    a.getTopicId() + " leader=" + s.getLeader() + " epoch=" + s.getLeaderEpoch() + " replicas="
                            + replicas + " isr=" + s.getIsrList());
        });
        return view;
    }

    private static Map<Integer, String> metadataView(StrandTestCluster cluster, int broker, String topic) {
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(broker))) {
            MetadataResponse r = (MetadataResponse) c.send(
                    ApiKeys.METADATA,
                    (short) 12,
                    new MetadataRequestData()
                            .setAllowAutoTopicCreation(false)
                            .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic))));
            MetadataResponseData.MetadataResponseTopic t = r.data().topics().find(topic);
            Map<Integer, String> view = new TreeMap<>();
            if (t == null || t.errorCode() != Errors.NONE.code()) {
                return view;
            }
            for (MetadataResponseData.MetadataResponsePartition p : t.partitions()) {
                view.put(
                        p.partitionIndex(),
                        t.topicId() + " leader=" + p.leaderId() + " epoch=" + p.leaderEpoch() + " replicas="
                                + p.replicaNodes() + " isr=" + p.isrNodes());
            }
            return view;
        } catch (Exception e) {
            return Map.of();
        }
    }
}
