package io.strand.tools;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.ReplicaAssigner;
import io.strand.coordinator.TopicCreation;
import io.strand.coordinator.TopicCreator;
import io.strand.coordinator.TopicSpec;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.Endpoint;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;

/**
 * A fresh Strand chroot on a test ZooKeeper with brokers registered the way brokers do (persistent
 * parents, ephemeral {@code /brokers/ids/<id>}), so that topics can be created with TopicCreator.
 */
public final class StrandZk implements AutoCloseable {
    private static final AtomicInteger CHROOTS = new AtomicInteger();

    public final String connect;
    public final CuratorFramework zk;
    public final MetadataStore store;

    private StrandZk(String connect) {
        this.connect = connect;
        this.zk = ZooKeeperConnection.connect(connect, 30_000, 10_000);
        this.store = new MetadataStore(zk);
    }

    public static StrandZk withBrokers(TestingServer server, int... brokerIds) {
        StrandZk s = new StrandZk(server.getConnectString() + "/strand" + CHROOTS.incrementAndGet());
        s.store.ensureParents();
        for (int id : brokerIds) {
            s.store.createIfAbsent(
                    Znodes.broker(id),
                    BrokerRegistration.newBuilder()
                            .setBrokerId(id)
                            .addEndpoints(Endpoint.newBuilder()
                                    .setListenerName("PLAINTEXT")
                                    .setHost("127.0.0.1")
                                    .setPort(9092 + id)
                                    .setSecurityProtocol("PLAINTEXT"))
                            .setIncarnationId("test-" + id)
                            .build(),
                    CreateMode.EPHEMERAL);
        }
        return s;
    }

    public TopicCreation.Created createTopic(String name, int partitions, int replicationFactor) {
        TopicCreation result = new TopicCreator(store, 0, new ReplicaAssigner(new Random()))
                .create(TopicSpec.of(name, partitions, replicationFactor), new TopicCreator.Defaults(1, 1), false);
        if (result instanceof TopicCreation.Created created) {
            return created;
        }
        throw new AssertionError("could not create " + name + ": " + result);
    }

    @Override
    public void close() {
        zk.close();
    }
}
