package io.strand.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.proto.PartitionState;
import io.strand.testing.SlowTest;
import io.strand.testing.Wait;
import io.strand.testing.ZooKeeperSessions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The metadata cache's /topics subtree ({@link TopicTreeCache}) on a real ZooKeeper: thousands of
 * partitions loaded through batched multi-reads, then changed and deleted under it, and read again
 * after its session expires.
 */
@SlowTest
class MetadataCacheLoadTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int TOPICS = 4;
    private static final int PARTITIONS = 1000;

    private TestingServer zk;
    private CuratorFramework writer;
    private MetadataStore store;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(true);
        writer = ZooKeeperConnection.connect(zk.getConnectString() + "/strand", 6000, 10_000);
        store = new MetadataStore(writer);
        store.ensureParents();
        RegisteredBrokers.register(store, 3);
        TopicCreator creator = new TopicCreator(store, -1, new ReplicaAssigner(new Random(1)));
        for (int t = 0; t < TOPICS; t++) {
            create(creator, "t" + t, PARTITIONS);
        }
        create(creator, "small", 3);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        writer.close();
        zk.close();
    }

    private static void create(TopicCreator creator, String name, int partitions) {
        Map<Integer, List<Integer>> assignment = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            assignment.put(p, List.of(1 + p % 3, 1 + (p + 1) % 3));
        }
        TopicCreation c = creator.create(
                new TopicSpec(name, -1, -1, assignment, Map.of()), new TopicCreator.Defaults(1, 1), false);
        assertTrue(c instanceof TopicCreation.Created, c.toString());
    }

    private MetadataCache cache() {
        CuratorFramework client = ZooKeeperConnection.connect(zk.getConnectString() + "/strand", 6000, 10_000);
        closeables.add(client);
        MetadataCache cache = new MetadataCache(client);
        closeables.add(cache);
        cache.start(10_000);
        return cache;
    }

    /** True if the cache holds every partition of the big topics, each with the leader {@code leader} maps it to. */
    private static boolean everyPartition(MetadataCache cache, java.util.function.IntUnaryOperator leader) {
        for (int t = 0; t < TOPICS; t++) {
            TopicView view = cache.topic("t" + t).orElse(null);
            if (view == null || !view.complete() || view.partitionsSnapshot().size() != PARTITIONS) {
                return false;
            }
            for (PartitionInfo p : view.partitionsSnapshot()) {
                if (p.leader() != leader.applyAsInt(p.topicPartition().partition())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Moves the leader of every partition of the big topics to its second replica, in batched CAS writes. */
    private void moveEveryLeader(MetadataCache versions) {
        List<CuratorOp> ops = new ArrayList<>();
        for (int t = 0; t < TOPICS; t++) {
            for (PartitionInfo p : versions.topic("t" + t).orElseThrow().partitionsSnapshot()) {
                PartitionState next = p.state().toBuilder()
                        .setLeader(p.replicas().get(1))
                        .setLeaderEpoch(p.leaderEpoch() + 1)
                        .build();
                ops.add(store.setOp(Znodes.partitionState(p.topicPartition()), next, p.stateVersion()));
                if (ops.size() == 500) {
                    store.multi(ops);
                    ops = new ArrayList<>();
                }
            }
        }
        if (!ops.isEmpty()) {
            store.multi(ops);
        }
    }

    private static int preferred(int p) {
        return 1 + p % 3;
    }

    private static int second(int p) {
        return 1 + (p + 1) % 3;
    }

    @Test
    void shouldLoadEveryPartitionAtStartAndFollowEveryChangeAndDeletionAfterwards() throws Exception {
        MetadataCache cache = cache();
        assertTrue(everyPartition(cache, MetadataCacheLoadTest::preferred), "every partition loaded by start()");
        assertEquals(
                0,
                cache.partition(new org.apache.kafka.common.TopicPartition("t1", 7))
                        .orElseThrow()
                        .stateVersion());

        moveEveryLeader(cache);
        Wait.waitUntil("every leader change seen", TIMEOUT, () -> everyPartition(cache, MetadataCacheLoadTest::second));
        assertEquals(
                1,
                cache.partition(new org.apache.kafka.common.TopicPartition("t3", 999))
                        .orElseThrow()
                        .stateVersion());

        store.deleteRecursively(Znodes.topic("small"));
        Wait.waitUntil(
                "topic deletion seen", TIMEOUT, () -> cache.topic("small").isEmpty());
        create(new TopicCreator(store, -1, new ReplicaAssigner(new Random(2))), "later", 5);
        Wait.waitUntil(
                "a new topic seen with every partition",
                TIMEOUT,
                () -> cache.topic("later")
                        .map(v -> v.complete() && v.partitionsSnapshot().size() == 5)
                        .orElse(false));
    }

    @Test
    void shouldReadEverythingAgainAfterItsSessionExpires() throws Exception {
        CuratorFramework client = ZooKeeperConnection.connect(zk.getConnectString() + "/strand", 6000, 10_000);
        closeables.add(client);
        MetadataCache cache = new MetadataCache(client);
        closeables.add(cache);
        cache.start(10_000);

        ZooKeeperSessions.expire(client);
        store.deleteRecursively(Znodes.topic("small"));
        moveEveryLeader(cache);

        Wait.waitUntil(
                "every change made around the expiry seen, nothing lost",
                TIMEOUT,
                () -> cache.topic("small").isEmpty() && everyPartition(cache, MetadataCacheLoadTest::second));
        Wait.assertStaysTrue(
                "every partition still there",
                Duration.ofMillis(500),
                () -> everyPartition(cache, MetadataCacheLoadTest::second));
    }
}
