package io.strand.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.admin.PartitionAdder;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A topic, or a partition increase, too large for one ZooKeeper transaction (jute.maxbuffer) is refused with a
 * message that says how many partitions fit, before anything is sent: nothing is written and the session keeps its
 * connection (ZooKeeper would close the connection of an oversized request). Creating in steps of that size works.
 */
class LargeTopicCreationTest {
    private TestingServer zk;
    private CuratorFramework client;
    private MetadataStore store;
    private TopicCreator creator;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(true);
        client = ZooKeeperConnection.connect(zk.getConnectString() + "/strand", 6000, 10_000);
        store = new MetadataStore(client);
        store.ensureParents();
        RegisteredBrokers.register(store, 3);
        creator = new TopicCreator(store, -1, new ReplicaAssigner(new Random(1)));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        zk.close();
    }

    @Test
    void shouldRefuseATopicLargerThanOneTransactionAndCreateItInSteps() {
        TopicCreation tooLarge = creator.create(
                new TopicSpec("huge", 10_000, 3, Map.of(), Map.of()), new TopicCreator.Defaults(1, 1), false);
        TopicCreation.Rejected rejected = assertInstanceOf(TopicCreation.Rejected.class, tooLarge, tooLarge.toString());
        assertEquals(TopicCreation.Reason.TOO_LARGE, rejected.reason());
        assertTrue(rejected.message().contains("jute.maxbuffer"), rejected.message());
        int fits = Integer.parseInt(rejected.message().replaceAll(".*at most about (\\d+) partitions.*", "$1"));
        assertTrue(fits > 1_000 && fits < 10_000, rejected.message());
        assertFalse(store.exists(Znodes.topic("huge")), "nothing written");
        assertTrue(client.getZookeeperClient().isConnected(), "the session kept its connection");

        TopicCreation created = creator.create(
                new TopicSpec("huge", 1_000, 3, Map.of(), Map.of()), new TopicCreator.Defaults(1, 1), false);
        assertInstanceOf(TopicCreation.Created.class, created, created.toString());
        PartitionAdder adder = new PartitionAdder(store, new ReplicaAssigner(new Random(2)));
        PolicyViolationException refused =
                assertThrows(PolicyViolationException.class, () -> adder.add("huge", 10_000, List.of(), false));
        assertTrue(refused.getMessage().contains("at a time"), refused.getMessage());
        assertEquals(1_000, store.children(Znodes.partitions("huge")).size(), "nothing added");
        for (int n = 1_000; n < 10_000; ) {
            n = Math.min(10_000, n + fits);
            adder.add("huge", n, List.of(), false);
        }
        assertEquals(10_000, store.children(Znodes.partitions("huge")).size());
    }
}
