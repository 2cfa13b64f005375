package io.strand.server.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strand.server.replica.Partition;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Coordinator shards on real partitions, for the unit tests of the shard and its managers: one
 * broker (real ZooKeeper, real log on a temporary directory), a fresh single-partition topic per
 * shard standing in for a {@code __consumer_offsets} partition, and a clock the test moves. Every
 * call into a shard goes through its executor, as the coordinator's do. A test class registers one
 * ({@code @RegisterExtension static final ShardFixture fixture = new ShardFixture();}): the broker
 * starts before its first test and stops after its last.
 */
final class ShardFixture implements BeforeAllCallback, AfterAllCallback {
    static final long RETENTION_MS = 60 * 60_000;
    static final GroupConfig CONFIG =
            new GroupConfig(10, 1, 100 << 20, 0, 1000, 1_800_000, Integer.MAX_VALUE, RETENTION_MS, 600_000, 5000, 4096);

    private StrandTestCluster cluster;
    final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger topics = new AtomicInteger();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster = StrandTestCluster.start(1);
    }

    /** The only partition of a new topic, led by the broker. */
    Partition newPartition() throws Exception {
        String topic = "shard-log-" + topics.incrementAndGet();
        cluster.createTopic(topic, 1, 1);
        return cluster.broker(1)
                .replicaManager()
                .partition(new TopicPartition(topic, 0))
                .orElseThrow();
    }

    /** A shard on {@code p} at its current leader epoch, loaded from its log. */
    CoordinatorShard load(Partition p) throws Exception {
        return load(p, Map::of);
    }

    /** As {@link #load(Partition)}, with {@code topics} as the topics that exist (consumer groups resolve against them). */
    CoordinatorShard load(Partition p, SubscribedTopics.Source topics) throws Exception {
        CoordinatorShard s = new CoordinatorShard(
                p, p.leaderEpoch(), CONFIG, pool, timer, clock::get, topics, RequestAuthorization.ALLOW_ALL);
        s.execute(s::load);
        Wait.waitUntil("the shard on " + p.topicPartition() + " is loaded", Duration.ofSeconds(10), () -> {
            return s.status() == CoordinatorShard.Status.ACTIVE;
        });
        return s;
    }

    /** Runs {@code op} on the shard's executor and returns its answer. */
    static <T> T on(CoordinatorShard s, Supplier<T> op) throws Exception {
        return s.submit(() -> CompletableFuture.completedFuture(op.get())).get(10, TimeUnit.SECONDS);
    }

    /** Runs {@code op} on the shard's executor and waits for the future it returns. */
    static <T> T await(CoordinatorShard s, Supplier<CompletableFuture<T>> op) throws Exception {
        return s.submit(op).get(10, TimeUnit.SECONDS);
    }

    /** Waits until every record appended to {@code p} is acknowledged (the shard answers at that point too). */
    static void awaitWritten(Partition p) throws InterruptedException {
        Wait.waitUntil(
                "the high watermark of " + p.topicPartition() + " reaches its log end",
                Duration.ofSeconds(10),
                () -> p.highWatermark() == p.log().logEndOffset());
    }

    /** A consumer's JoinGroup (protocol "range", long session and rebalance timeouts) subscribing to {@code topic}. */
    static ClassicGroupManager.JoinRequest join(String group, String memberId, String topic) {
        return new ClassicGroupManager.JoinRequest(
                group,
                memberId,
                null,
                ClassicGroup.CONSUMER_PROTOCOL_TYPE,
                List.of(new GroupMember.Protocol("range", subscription(topic))),
                300_000,
                30_000,
                "client",
                "/127.0.0.1",
                (short) 9,
                null);
    }

    /**
     * A new member joins {@code group} (KIP-394: a first JoinGroup for its member id, a second to
     * join), and, being the only member, leads it to Stable with the assignment {@code {1}}.
     * Returns its member id.
     */
    static String joinAlone(CoordinatorShard s, String group, String topic) throws Exception {
        JoinGroupResponseData first = await(s, () -> s.classicGroups.joinGroup(join(group, "", topic)));
        assertEquals(Errors.MEMBER_ID_REQUIRED.code(), first.errorCode());
        String memberId = first.memberId();
        JoinGroupResponseData joined = await(s, () -> s.classicGroups.joinGroup(join(group, memberId, topic)));
        assertEquals(Errors.NONE.code(), joined.errorCode());
        assertEquals(memberId, joined.leader());
        SyncGroupResponseData synced = await(
                s,
                () -> s.classicGroups.syncGroup(new ClassicGroupManager.SyncRequest(
                        group,
                        joined.generationId(),
                        memberId,
                        null,
                        ClassicGroup.CONSUMER_PROTOCOL_TYPE,
                        "range",
                        Map.of(memberId, new byte[] {1}))));
        assertEquals(Errors.NONE.code(), synced.errorCode());
        assertArrayEquals(new byte[] {1}, synced.assignment());
        return memberId;
    }

    /** A consumer's JoinGroup metadata for {@code topics}. */
    static byte[] subscription(String... topics) {
        ByteBuffer b =
                ConsumerProtocol.serializeSubscription(new ConsumerPartitionAssignor.Subscription(List.of(topics)));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        timer.shutdownNow();
        pool.shutdownNow();
        cluster.close();
    }
}
