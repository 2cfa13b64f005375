package io.strand.coordinator.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.IsrUpdater;
import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.ReplicaAssigner;
import io.strand.coordinator.TopicCreator;
import io.strand.coordinator.TopicSpec;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.ControllerRegistration;
import io.strand.coordinator.proto.PartitionState;
import io.strand.testing.Wait;
import io.strand.testing.ZooKeeperSessions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.common.TopicPartition;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The controller on a real ZooKeeper: one at a time, fenced by /controller_epoch, racing writers resolved by CAS. */
class ControllerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Controller.Settings SETTINGS = new Controller.Settings(false, false, 10, 300_000);
    private TestingServer zk;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startZooKeeper() throws Exception {
        zk = new TestingServer(true);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        zk.close();
    }

    /** A broker's worth of coordinator: its session, registration, cache and controller. */
    private record Node(
            int id, CuratorFramework client, MetadataStore store, MetadataCache cache, Controller controller) {}

    private Node node(int id) {
        CuratorFramework client = ZooKeeperConnection.connect(zk.getConnectString() + "/strand", 6000, 10_000);
        closeables.add(client);
        MetadataStore store = new MetadataStore(client);
        store.ensureParents();
        store.createIfAbsent(
                Znodes.broker(id),
                BrokerRegistration.newBuilder().setBrokerId(id).build(),
                CreateMode.EPHEMERAL);
        MetadataCache cache = new MetadataCache(client);
        closeables.add(cache);
        Controller controller = new Controller(client, cache, id, SETTINGS);
        closeables.add(controller);
        cache.addListener(controller);
        cache.start(10_000);
        controller.start();
        return new Node(id, client, store, cache, controller);
    }

    private static long active(List<Node> nodes) {
        return nodes.stream().filter(n -> n.controller().isActive()).count();
    }

    @Test
    void shouldElectOneControllerAndFenceItWhenItsSessionExpires() throws Exception {
        List<Node> nodes = List.of(node(1), node(2), node(3));
        Wait.waitUntil("one controller", TIMEOUT, () -> active(nodes) == 1);
        Node first = nodes.stream()
                .filter(n -> n.controller().isActive())
                .findFirst()
                .orElseThrow();
        int epoch = first.controller().epoch();

        ZooKeeperSessions.expire(first.client());
        Wait.waitUntil(
                "the old controller stops acting",
                TIMEOUT,
                () -> !first.controller().isActive() || first.controller().epoch() > epoch);
        Wait.waitUntil(
                "a new controller with a higher epoch",
                TIMEOUT,
                () -> nodes.stream()
                        .anyMatch(
                                n -> n.controller().isActive() && n.controller().epoch() > epoch));
        assertTrue(
                active(nodes) <= 1
                        || nodes.stream()
                                        .filter(n -> n.controller().isActive())
                                        .mapToInt(n -> n.controller().epoch())
                                        .distinct()
                                        .count()
                                == active(nodes),
                "never two at one epoch");
        // the election has settled when /controller names an active node at that node's epoch: every other node
        // either lost the create-if-absent of /controller or (the old one) resigned on losing its session
        Wait.waitUntil("/controller names the active controller", TIMEOUT, () -> {
            ControllerRegistration named = first.store()
                    .read(Znodes.CONTROLLER, ControllerRegistration.parser())
                    .map(Versioned::value)
                    .orElse(null);
            return named != null
                    && nodes.stream()
                            .anyMatch(n -> n.id() == named.getBrokerId()
                                    && n.controller().isActive()
                                    && n.controller().epoch() == named.getEpoch());
        });
        assertEquals(1, active(nodes), "exactly one controller afterwards");
    }

    @Test
    void shouldRefuseEveryWriteOfAStaleController() throws Exception {
        Node n = node(1);
        Wait.waitUntil("controller", TIMEOUT, () -> n.controller().isActive());
        new TopicCreator(n.store(), 1, new ReplicaAssigner(new Random(1)))
                .create(TopicSpec.of("t", 1, 1), new TopicCreator.Defaults(1, 1), false);
        Versioned<io.strand.coordinator.proto.ControllerEpoch> epochNode = n.store()
                .read(Znodes.CONTROLLER_EPOCH, io.strand.coordinator.proto.ControllerEpoch.parser())
                .orElseThrow();
        // a newer controller takes the epoch (as after an election elsewhere)
        n.store()
                .setIfVersion(
                        Znodes.CONTROLLER_EPOCH,
                        io.strand.coordinator.proto.ControllerEpoch.newBuilder()
                                .setEpoch(epochNode.value().getEpoch() + 1)
                                .build(),
                        epochNode.version());

        PartitionStateWriter stale = new PartitionStateWriter(n.store());
        TopicPartition tp = new TopicPartition("t", 0);
        Versioned<PartitionState> before = n.store()
                .read(Znodes.partitionState(tp), PartitionState.parser())
                .orElseThrow();
        PartitionState wanted =
                before.value().toBuilder().setLeader(-1).setLeaderEpoch(99).build();
        assertThrows(
                ControllerFencedException.class,
                () -> stale.write(
                        List.of(new PartitionStateWriter.Change(tp, before.version(), wanted)),
                        epochNode.version(),
                        (p, current) -> Optional.of(wanted)));
        assertEquals(
                before,
                n.store()
                        .read(Znodes.partitionState(tp), PartitionState.parser())
                        .orElseThrow(),
                "the partition state is untouched");
    }

    @Test
    void shouldResolveALeaderIsrShrinkRacingAControllerElectionIntoALegalOrder() throws Exception {
        // no Controller running here: the test itself plays the controller, at a claimed epoch
        CuratorFramework client = ZooKeeperConnection.connect(zk.getConnectString() + "/strand", 6000, 10_000);
        closeables.add(client);
        MetadataStore store = new MetadataStore(client);
        store.ensureParents();
        store.createIfAbsent(
                Znodes.CONTROLLER_EPOCH,
                io.strand.coordinator.proto.ControllerEpoch.newBuilder()
                        .setEpoch(1)
                        .build(),
                CreateMode.PERSISTENT);
        for (int id = 1; id <= 3; id++) {
            store.createIfAbsent(
                    Znodes.broker(id),
                    BrokerRegistration.newBuilder().setBrokerId(id).build(),
                    CreateMode.EPHEMERAL);
        }
        TopicCreator creator = new TopicCreator(store, 1, new ReplicaAssigner(new Random(1)));
        IsrUpdater isr = new IsrUpdater(store);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        int epochVersion = store.read(Znodes.CONTROLLER_EPOCH, io.strand.coordinator.proto.ControllerEpoch.parser())
                .orElseThrow()
                .version();
        try {
            for (int round = 0; round < 40; round++) {
                String topic = "race-" + round;
                assertTrue(
                        creator.create(
                                        new TopicSpec(topic, -1, -1, Map.of(0, List.of(1, 2, 3)), Map.of()),
                                        new TopicCreator.Defaults(1, 1),
                                        false)
                                instanceof io.strand.coordinator.TopicCreation.Created);
                TopicPartition tp = new TopicPartition(topic, 0);
                CyclicBarrier go = new CyclicBarrier(2);
                // the leader (1, epoch 0) drops 3 from the ISR; the controller, seeing 1 dead, elects a new leader
                Future<IsrUpdater.Result> shrink = pool.submit(() -> {
                    go.await();
                    return isr.update(
                            tp,
                            1,
                            0,
                            current -> current.stream().filter(r -> r != 3).toList());
                });
                PartitionStateWriter writer = new PartitionStateWriter(store);
                Future<List<PartitionStateWriter.Change>> elect = pool.submit(() -> {
                    go.await();
                    Versioned<PartitionState> s = store.read(Znodes.partitionState(tp), PartitionState.parser())
                            .orElseThrow();
                    PartitionStateWriter.Decision d = (p, current) -> LeaderElection.afterBrokerChange(
                            current, List.of(1, 2, 3), java.util.Set.of(2, 3), false, 1);
                    return writer.write(
                            List.of(new PartitionStateWriter.Change(
                                    tp, s.version(), d.decide(tp, s.value()).orElseThrow())),
                            epochVersion,
                            d);
                });
                IsrUpdater.Result shrunk = shrink.get();
                elect.get();
                PartitionState end = store.read(Znodes.partitionState(tp), PartitionState.parser())
                        .orElseThrow()
                        .value();
                assertEquals(2, end.getLeader(), "the controller's election always lands");
                assertEquals(1, end.getLeaderEpoch());
                if (shrunk.fenced()) {
                    // election first: the old leader's shrink was refused, the ISR is the election's
                    assertEquals(List.of(2, 3), end.getIsrList());
                } else {
                    // shrink first: the election decided again on the shrunk ISR
                    assertEquals(List.of(2), end.getIsrList());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldMoveLeadershipOffABrokerWhoseRegistrationVanishes() throws Exception {
        Node controllerNode = node(1);
        Node victim = node(2);
        node(3);
        Wait.waitUntil(
                "controller",
                TIMEOUT,
                () -> controllerNode.controller().isActive()
                        || victim.controller().isActive());
        new TopicCreator(controllerNode.store(), 1, new ReplicaAssigner(new Random(1)))
                .create(
                        new TopicSpec(
                                "moves",
                                -1,
                                -1,
                                Map.of(0, List.of(2, 1, 3), 1, List.of(2, 3, 1), 2, List.of(1, 2, 3)),
                                Map.of()),
                        new TopicCreator.Defaults(1, 1),
                        false);
        Wait.waitUntil(
                "cache has the topic",
                TIMEOUT,
                () -> controllerNode
                        .cache()
                        .topic("moves")
                        .map(t -> t.complete())
                        .orElse(false));
        ZooKeeperSessions.expire(victim.client());
        Wait.waitUntil("partitions 0 and 1 led elsewhere", TIMEOUT, () -> {
            PartitionState p0 = controllerNode
                    .store()
                    .read(Znodes.partitionState("moves", 0), PartitionState.parser())
                    .orElseThrow()
                    .value();
            PartitionState p1 = controllerNode
                    .store()
                    .read(Znodes.partitionState("moves", 1), PartitionState.parser())
                    .orElseThrow()
                    .value();
            return p0.getLeader() != 2 && p1.getLeader() != 2 && p0.getLeader() >= 0 && p1.getLeader() >= 0;
        });
        for (int p = 0; p < 3; p++) {
            PartitionState s = controllerNode
                    .store()
                    .read(Znodes.partitionState("moves", p), PartitionState.parser())
                    .orElseThrow()
                    .value();
            assertFalse(s.getIsrList().contains(2), "no dead broker in the ISR of partition " + p);
            assertEquals(p < 2 ? 1 : 0, s.getLeaderEpoch(), "epoch +1 only where the leader moved");
        }
    }

    @Test
    void shouldRunForControllerOnlyOnceItsBrokerIsRegisteredSoThatAWholeClusterRestartKeepsTheIsrs() throws Exception {
        // partition 0 led by 3 with ISR [3, 1, 2]; broker 3 the controller
        CuratorFramework admin = ZooKeeperConnection.connect(zk.getConnectString() + "/strand", 6000, 10_000);
        closeables.add(admin);
        MetadataStore store = new MetadataStore(admin);
        store.ensureParents();
        CuratorFramework before = ZooKeeperConnection.connect(zk.getConnectString() + "/strand", 6000, 10_000);
        closeables.add(before);
        for (int id = 1; id <= 3; id++) {
            new MetadataStore(before)
                    .createIfAbsent(
                            Znodes.broker(id),
                            BrokerRegistration.newBuilder().setBrokerId(id).build(),
                            CreateMode.EPHEMERAL);
        }
        new MetadataStore(before)
                .createIfAbsent(
                        Znodes.CONTROLLER,
                        ControllerRegistration.newBuilder()
                                .setBrokerId(3)
                                .setEpoch(1)
                                .build(),
                        CreateMode.EPHEMERAL);
        assertTrue(
                new TopicCreator(store, 1, new ReplicaAssigner(new Random(1)))
                                .create(
                                        new TopicSpec("restart", -1, -1, Map.of(0, List.of(3, 1, 2)), Map.of()),
                                        new TopicCreator.Defaults(1, 1),
                                        false)
                        instanceof io.strand.coordinator.TopicCreation.Created);

        // the whole cluster restarts: broker 2 starts as a broker does, its cache (and the controller listening to
        // it) first; the old sessions end meanwhile (here: before its registration)
        CuratorFramework client = ZooKeeperConnection.connect(zk.getConnectString() + "/strand", 6000, 10_000);
        closeables.add(client);
        MetadataCache cache = new MetadataCache(client);
        closeables.add(cache);
        Controller controller = new Controller(client, cache, 2, SETTINGS);
        closeables.add(controller);
        cache.addListener(controller);
        cache.start(10_000);
        Wait.waitUntil("the cache sees controller 3", TIMEOUT, () -> cache.controllerId() == 3);
        before.close();
        Wait.waitUntil(
                "the cache sees the old cluster gone",
                TIMEOUT,
                () -> cache.controllerId() != 3 && cache.liveBrokers().isEmpty());
        new MetadataStore(client)
                .createIfAbsent(
                        Znodes.broker(2),
                        BrokerRegistration.newBuilder().setBrokerId(2).build(),
                        CreateMode.EPHEMERAL);
        controller.start();

        // the only live ISR member leads: the controller did not take its own broker for dead
        Wait.waitUntil(
                "broker 2 leads partition 0",
                TIMEOUT,
                () -> store.read(Znodes.partitionState("restart", 0), PartitionState.parser())
                                .orElseThrow()
                                .value()
                                .getLeader()
                        == 2);
        assertTrue(controller.isActive());
        assertEquals(
                List.of(2),
                store.read(Znodes.partitionState("restart", 0), PartitionState.parser())
                        .orElseThrow()
                        .value()
                        .getIsrList());
    }
}
