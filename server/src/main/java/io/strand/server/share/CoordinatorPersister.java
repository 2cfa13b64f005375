package io.strand.server.share;

import io.strand.coordinator.MetadataCache;
import io.strand.server.network.BrokerClient;
import io.strand.server.network.BrokerConnector;
import io.strand.server.topics.InternalTopic;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share-partition leaders' {@link Persister}: each call goes to the share coordinator of its key,
 * found as FindCoordinator key type 2 finds it ({@code __share_group_state} is created on first use).
 * When this broker is that coordinator the call is made directly; otherwise the request
 * (ReadShareGroupState, WriteShareGroupState, ...) goes to the coordinator broker over a
 * {@link BrokerClient} on the inter-broker listener, on the {@code share-persister} threads. While the
 * coordinator is unknown, moving or loading (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR,
 * COORDINATOR_LOAD_IN_PROGRESS, a failed connection) the call is retried every 200 ms for up to 15 s.
 *
 * <p>Thread-safe.
 */
public final class CoordinatorPersister implements Persister, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorPersister.class);
    private static final long RETRY_BACKOFF_MS = 200;
    private static final long RETRY_FOR_MS = 15_000;

    private final ShareCoordinator coordinator;
    private final MetadataCache cache;
    private final BrokerConnector brokers;
    private final ScheduledExecutorService timer;
    private final ExecutorService senders;
    private final Map<Integer, BrokerClient> clients = new ConcurrentHashMap<>();

    public CoordinatorPersister(
            ShareCoordinator coordinator,
            MetadataCache cache,
            BrokerConnector brokers,
            ScheduledExecutorService timer) {
        this.coordinator = coordinator;
        this.cache = cache;
        this.brokers = brokers;
        this.timer = timer;
        this.senders = Executors.newFixedThreadPool(4, ThreadUtils.createThreadFactory("share-persister-%d", true));
    }

    @Override
    public CompletableFuture<ReadResult> read(String groupId, Uuid topicId, int partition, int leaderEpoch) {
        return call(
                groupId,
                topicId,
                partition,
                () -> coordinator.read(groupId, topicId, partition, leaderEpoch),
                b -> ShareStateRequests.read(send(
                        b,
                        ApiKeys.READ_SHARE_GROUP_STATE,
                        ShareStateRequests.readRequest(groupId, topicId, partition, leaderEpoch))),
                ReadResult::error,
                e -> new ReadResult(e, null));
    }

    @Override
    public CompletableFuture<Errors> write(String groupId, Uuid topicId, int partition, ShareState state) {
        return call(
                groupId,
                topicId,
                partition,
                () -> coordinator.write(groupId, topicId, partition, state),
                b -> ShareStateRequests.write(send(
                        b,
                        ApiKeys.WRITE_SHARE_GROUP_STATE,
                        ShareStateRequests.writeRequest(groupId, topicId, partition, state))),
                e -> e,
                e -> e);
    }

    @Override
    public CompletableFuture<Errors> initialize(
            String groupId, Uuid topicId, int partition, int stateEpoch, long startOffset) {
        return call(
                groupId,
                topicId,
                partition,
                () -> coordinator.initialize(groupId, topicId, partition, stateEpoch, startOffset),
                b -> ShareStateRequests.initialize(send(
                        b,
                        ApiKeys.INITIALIZE_SHARE_GROUP_STATE,
                        ShareStateRequests.initializeRequest(groupId, topicId, partition, stateEpoch, startOffset))),
                e -> e,
                e -> e);
    }

    @Override
    public CompletableFuture<Errors> delete(String groupId, Uuid topicId, int partition) {
        return call(
                groupId,
                topicId,
                partition,
                () -> coordinator.delete(groupId, topicId, partition),
                b -> ShareStateRequests.delete(send(
                        b,
                        ApiKeys.DELETE_SHARE_GROUP_STATE,
                        ShareStateRequests.deleteRequest(groupId, topicId, partition))),
                e -> e,
                e -> e);
    }

    @Override
    public CompletableFuture<Summary> readSummary(String groupId, Uuid topicId, int partition, int leaderEpoch) {
        return call(
                groupId,
                topicId,
                partition,
                () -> coordinator.readSummary(groupId, topicId, partition, leaderEpoch),
                b -> ShareStateRequests.summary(send(
                        b,
                        ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY,
                        ShareStateRequests.summaryRequest(groupId, topicId, partition, leaderEpoch))),
                Summary::error,
                e -> new Summary(e, 0, -1, -1, -1));
    }

    /**
     * The latest offset (the high watermark) of {@code tp} asked of its leader {@code brokerId} with
     * ListOffsets; -1 when it cannot be had. For the lag of DescribeShareGroupOffsets.
     */
    public CompletableFuture<Long> latestOffset(int brokerId, org.apache.kafka.common.TopicPartition tp) {
        var request = new org.apache.kafka.common.message.ListOffsetsRequestData()
                .setReplicaId(-1)
                .setIsolationLevel((byte) 0);
        request.topics()
                .add(new org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic()
                        .setName(tp.topic())
                        .setPartitions(List.of(
                                new org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition()
                                        .setPartitionIndex(tp.partition())
                                        .setTimestamp(-1L)
                                        .setCurrentLeaderEpoch(-1))));
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        var r = (org.apache.kafka.common.message.ListOffsetsResponseData)
                                send(brokerId, ApiKeys.LIST_OFFSETS, request);
                        var p = r.topics().get(0).partitions().get(0);
                        return p.errorCode() == 0 ? p.offset() : -1L;
                    } catch (IOException | RuntimeException e) {
                        return -1L;
                    }
                },
                senders);
    }

    /** A remote call that may fail with an I/O error. */
    private interface Remote<T> {
        T call(int brokerId) throws IOException;
    }

    private <T> CompletableFuture<T> call(
            String groupId,
            Uuid topicId,
            int partition,
            Supplier<CompletableFuture<T>> local,
            Remote<T> remote,
            Function<T, Errors> errorOf,
            Function<Errors, T> failed) {
        String key = new ShareRecords.Key(groupId, topicId, partition).asCoordinatorKey();
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(key, local, remote, errorOf, failed, result, System.currentTimeMillis() + RETRY_FOR_MS);
        return result;
    }

    private <T> void attempt(
            String key,
            Supplier<CompletableFuture<T>> local,
            Remote<T> remote,
            Function<T, Errors> errorOf,
            Function<Errors, T> failed,
            CompletableFuture<T> result,
            long deadline) {
        coordinator
                .findCoordinator(key)
                .thenCompose((InternalTopic.Leader leader) -> {
                    if (leader.error() != Errors.NONE) {
                        return CompletableFuture.completedFuture(failed.apply(leader.error()));
                    }
                    if (leader.brokerId() == coordinator.localBrokerId()) {
                        return local.get();
                    }
                    return CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return remote.call(leader.brokerId());
                                } catch (IOException e) {
                                    log.debug(
                                            "Share state call for {} to broker {} failed: {}",
                                            key,
                                            leader.brokerId(),
                                            e.toString());
                                    return failed.apply(Errors.COORDINATOR_NOT_AVAILABLE);
                                }
                            },
                            senders);
                })
                .whenComplete((value, t) -> {
                    T v = t != null ? failed.apply(Errors.COORDINATOR_NOT_AVAILABLE) : value;
                    Errors e = errorOf.apply(v);
                    boolean retriable = e == Errors.COORDINATOR_NOT_AVAILABLE
                            || e == Errors.NOT_COORDINATOR
                            || e == Errors.COORDINATOR_LOAD_IN_PROGRESS;
                    if (!retriable || System.currentTimeMillis() >= deadline) {
                        result.complete(v);
                        return;
                    }
                    try {
                        timer.schedule(
                                () -> attempt(key, local, remote, errorOf, failed, result, deadline),
                                RETRY_BACKOFF_MS,
                                TimeUnit.MILLISECONDS);
                    } catch (RejectedExecutionException re) {
                        result.complete(v);
                    }
                });
    }

    /** Sends {@code request} to {@code brokerId} (one request at a time per broker connection). */
    private ApiMessage send(int brokerId, ApiKeys api, ApiMessage request) throws IOException {
        BrokerClient client = clients.computeIfAbsent(
                brokerId,
                id -> cache.broker(id)
                        .flatMap(brokers::endpoint)
                        .map(a -> brokers.client("strand-share-persister-" + coordinator.localBrokerId(), a, 16 << 20))
                        .orElse(null));
        if (client == null) {
            throw new IOException("broker " + brokerId + " is not registered");
        }
        synchronized (client) {
            try {
                return client.send(api, api.latestVersion(), request, 30_000).data();
            } catch (IOException e) {
                clients.remove(brokerId, client);
                throw e;
            }
        }
    }

    @Override
    public void close() {
        senders.shutdownNow();
        clients.values().forEach(BrokerClient::close);
        clients.clear();
    }
}
