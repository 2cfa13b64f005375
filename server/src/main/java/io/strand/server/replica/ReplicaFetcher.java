package io.strand.server.replica;

import io.strand.server.BrokerConfig;
import io.strand.server.network.BrokerClient;
import io.strand.server.network.BrokerConnector;
import io.strand.wal.PartitionLog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.FetchSessionHandler;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.utils.internals.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls the partitions this broker follows from one leader broker with the Kafka Fetch API, one
 * long-polling request for all of them at a time, in an incremental fetch session (KIP-227) so that a
 * request and its response carry only the partitions that changed. What it appends is fsynced by the log's group
 * commit; how the leader learns how far that reached has two modes. Fetching ahead ({@code strand.replica.fetch.ahead.enable=true}, once the
 * leader's responses say it reads {@link DurabilityReports}): the next fetch waits for the fsync of what it appended at most
 * {@code strand.replica.fetch.ahead.wait.ms}, then goes out from the log end and lists each partition whose log is
 * still durable only to less; while any is listed it waits exactly {@code
 * strand.replica.fetch.ahead.wait.ms} at the leader (a minimum of bytes no response reaches), taking whatever arrived
 * meanwhile in one response, so the fetch after the fsync reports it — the follower's fsync overlaps its next fetch, and a
 * slow fsync of one partition holds back only that partition's report. Strict (the default; and with an older leader, or
 * after a connection error until a response says otherwise): before each
 * fetch it waits until everything it appended is durable, so the offset it fetches from — which the leader takes
 * as its log end — is fsynced. A response carrying a diverging epoch truncates the log to where it matches the leader;
 * an offset before the leader's log start restarts the log there.
 *
 * <p>Thread-safe: partitions are added and removed from any thread; one thread does the fetching.
 */
final class ReplicaFetcher extends Thread {
    private static final Logger log = LoggerFactory.getLogger(ReplicaFetcher.class);

    /** A partition fetched at a leader epoch; {@code retryAtMs} delays it after an error. */
    private static final class Fetching {
        final Partition partition;
        final int leaderEpoch;
        volatile long retryAtMs;
        /** The leader's high watermark in the last response minus our log end then (Kafka's fetcher lag). */
        volatile long lag;

        Fetching(Partition partition, int leaderEpoch) {
            this.partition = partition;
            this.leaderEpoch = leaderEpoch;
        }
    }

    private final int localBrokerId;
    private final int leaderId;
    private final BrokerConfig config;
    private final BrokerClient client;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<TopicPartition, Fetching> partitions = new LinkedHashMap<>();
    private volatile boolean running = true;
    /** {@code replica.fetch.backoff.ms}, read once at start like every other fetch setting. */
    private final int backoffMs;

    private final ReplicaMetrics metrics;
    /** The incremental fetch session with the leader; used by the fetching thread only. */
    private final FetchSessionHandler session;
    /** {@code strand.replica.fetch.ahead.enable}. */
    private final boolean fetchAheadEnabled;
    /** {@code strand.replica.fetch.ahead.wait.ms}. */
    private final int aheadWaitMs;
    /** {@code replica.fetch.max.bytes} (read once: a request names up to every partition fetched here). */
    private final int partitionMaxBytes;
    /** The leader's last response said it reads durability reports; used by the fetching thread only. */
    private boolean leaderReadsDurability;

    ReplicaFetcher(
            int localBrokerId,
            int leaderId,
            InetSocketAddress leaderAddress,
            BrokerConfig config,
            BrokerConnector brokers,
            ReplicaMetrics metrics) {
        super("replica-fetcher-" + localBrokerId + "-from-" + leaderId);
        setDaemon(true);
        this.localBrokerId = localBrokerId;
        this.leaderId = leaderId;
        this.config = config;
        this.backoffMs = config.replication().replicaFetchBackoffMs();
        this.fetchAheadEnabled = config.replication().replicaFetchAheadEnable();
        this.aheadWaitMs = config.replication().replicaFetchAheadWaitMs();
        this.partitionMaxBytes = config.replication().replicaFetchMaxBytes();
        this.metrics = metrics;
        this.session = new FetchSessionHandler(
                new LogContext("[ReplicaFetcher " + localBrokerId + " from " + leaderId + "] "), leaderId);
        this.client = brokers.client(
                "strand-replica-fetcher-" + localBrokerId,
                leaderAddress,
                config.replication().replicaFetchResponseMaxBytes() + 1024 * 1024);
    }

    InetSocketAddress leaderAddress() {
        return client.address();
    }

    void add(Partition p, int leaderEpoch) {
        lock.lock();
        try {
            partitions.put(p.topicPartition(), new Fetching(p, leaderEpoch));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void remove(TopicPartition tp) {
        lock.lock();
        try {
            partitions.remove(tp);
        } finally {
            lock.unlock();
        }
    }

    /** The largest lag of the partitions fetched here. */
    long maxLag() {
        lock.lock();
        try {
            long max = 0;
            for (Fetching f : partitions.values()) {
                max = Math.max(max, f.lag);
            }
            return max;
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        lock.lock();
        try {
            return partitions.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the thread without interrupting it: an interrupt during a write to a log's FileChannel
     * closes the channel (ClosedByInterruptException), which the log must take for an I/O error and
     * its directory goes offline. So, as Kafka's replica fetchers are not interruptible, the waits
     * here are woken ({@link #changed}) or bounded, and the connection is closed to end a fetch.
     */
    void shutdown() {
        running = false;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        client.close();
    }

    @Override
    public void run() {
        while (running) {
            try {
                Map<TopicPartition, Fetching> batch = ready();
                if (batch.isEmpty()) {
                    continue;
                }
                if (!leaderReadsDurability) {
                    long waitStart = System.nanoTime();
                    if (!awaitDurable(batch)) {
                        continue;
                    }
                    metrics.ackLatency().record(AckLatency.Phase.FOLLOWER_DURABLE_WAIT, System.nanoTime() - waitStart);
                } else {
                    awaitDurableBriefly(batch);
                }
                fetchOnce(batch);
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            } catch (IOException e) {
                leaderReadsDurability = false; // the leader may be another process now
                log.info(
                        "Fetch from broker {} at {} failed: {}; retrying in {} ms",
                        leaderId,
                        client.address(),
                        e.getMessage(),
                        backoffMs);
                sleepQuietly(backoffMs);
            } catch (RuntimeException e) {
                log.error("Replica fetcher from broker {} failed; retrying in {} ms", leaderId, backoffMs, e);
                sleepQuietly(backoffMs);
            }
        }
        client.close();
    }

    /** The partitions not backing off; waits while there are none. */
    private Map<TopicPartition, Fetching> ready() throws InterruptedException {
        lock.lock();
        try {
            while (running) {
                long now = System.currentTimeMillis();
                Map<TopicPartition, Fetching> out = new LinkedHashMap<>();
                long nextRetry = Long.MAX_VALUE;
                for (Map.Entry<TopicPartition, Fetching> e : partitions.entrySet()) {
                    if (e.getValue().retryAtMs <= now
                            && e.getValue().partition.log().belowFreeSpaceFloor()) {
                        // its directory is below the free-space floor: nothing fetched could be written
                        e.getValue().retryAtMs = now + backoffMs;
                    }
                    if (e.getValue().retryAtMs <= now) {
                        out.put(e.getKey(), e.getValue());
                    } else {
                        nextRetry = Math.min(nextRetry, e.getValue().retryAtMs);
                    }
                }
                if (!out.isEmpty()) {
                    return out;
                }
                if (nextRetry == Long.MAX_VALUE) {
                    changed.await();
                } else {
                    changed.await(nextRetry - now, TimeUnit.MILLISECONDS);
                }
            }
            return Map.of();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A follower reports as its log end only what is fsynced: waits (up to 30 s, in steps that notice a
     * shutdown) until its logs are durable; false if the fetcher stopped meanwhile.
     */
    private boolean awaitDurable(Map<TopicPartition, Fetching> batch) throws InterruptedException {
        CompletableFuture<Void> all = durable(batch);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (running) {
            try {
                all.get(100, TimeUnit.MILLISECONDS);
                return true;
            } catch (java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("waiting for follower logs to be durable timed out", e);
                }
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("waiting for follower logs to be durable failed: " + e, e);
            }
        }
        return false;
    }

    /** Completes once every log of {@code batch} is durable up to its end as it is now. */
    private static CompletableFuture<Void> durable(Map<TopicPartition, Fetching> batch) {
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (Fetching f : batch.values()) {
            PartitionLog wal = f.partition.log();
            long end = wal.logEndOffset();
            if (wal.durableEndOffset() < end) { // most of many partitions have appended nothing since the last fetch
                waits.add(wal.awaitDurable(end));
            }
        }
        return waits.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    }

    /**
     * Fetching ahead: waits up to {@code strand.replica.fetch.ahead.wait.ms} for the logs of {@code batch} to be
     * durable, so that a fetch after a quick fsync reports it at once (as a strict one would) and only one after a
     * slow fsync goes out ahead of it.
     */
    private void awaitDurableBriefly(Map<TopicPartition, Fetching> batch) throws InterruptedException {
        try {
            durable(batch).get(aheadWaitMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            // a slow fsync (or a failed log, which the fetch will meet): fetch ahead of it
        }
    }

    /**
     * One fetch of {@code batch} in the incremental fetch session with the leader (KIP-227, through
     * kafka-clients' {@link FetchSessionHandler}, as Kafka's replica fetcher): the request names only
     * the partitions whose fetch position changed since the last one and forgets those no longer in the
     * batch; the response carries only the partitions with something new. A session error makes the next
     * fetch a full one at once.
     */
    private void fetchOnce(Map<TopicPartition, Fetching> batch) throws IOException {
        short version = ApiKeys.FETCH.latestVersion();
        FetchSessionHandler.Builder builder = session.newBuilder(batch.size(), false);
        for (Fetching f : batch.values()) {
            Partition p = f.partition;
            int lastFetchedEpoch = p.log().latestEpoch().orElse(-1);
            builder.add(
                    p.topicPartition(),
                    new FetchRequest.PartitionData(
                            p.topicId(),
                            p.log().logEndOffset(),
                            p.log().logStartOffset(),
                            partitionMaxBytes,
                            Optional.of(f.leaderEpoch),
                            lastFetchedEpoch < 0 ? Optional.empty() : Optional.of(lastFetchedEpoch)));
        }
        FetchSessionHandler.FetchRequestData toFetch = builder.build();
        Map<DurabilityReports.Key, Long> notDurable = leaderReadsDurability ? notDurable(batch) : Map.of();
        FetchRequestData request = FetchRequest.Builder.forReplica(
                        version,
                        localBrokerId,
                        -1,
                        notDurable.isEmpty()
                                ? config.replication().replicaFetchWaitMaxMs()
                                : config.replication().replicaFetchAheadWaitMs(),
                        // while a report is pending: whatever arrives within the wait, in one response, rather
                        // than a round trip (and a follower append and fsync) per leader append
                        notDurable.isEmpty() ? config.replication().replicaFetchMinBytes() : Integer.MAX_VALUE,
                        toFetch.toSend())
                .setMaxBytes(config.replication().replicaFetchResponseMaxBytes())
                .removed(toFetch.toForget())
                .replaced(toFetch.toReplace())
                .metadata(toFetch.metadata())
                .build(version)
                .data();
        DurabilityReports.attach(request, notDurable);
        FetchResponse response;
        long sent = System.nanoTime();
        try {
            // the response's records are appended below, before the next fetch reuses the buffer
            response = (FetchResponse) client.sendReusingBuffer(
                    ApiKeys.FETCH, version, request, config.replication().replicaFetchWaitMaxMs() + 30_000);
        } catch (IOException | RuntimeException e) {
            session.handleError(e);
            throw e;
        }
        long received = System.nanoTime();
        metrics.ackLatency().record(AckLatency.Phase.FOLLOWER_FETCH, received - sent);
        leaderReadsDurability = fetchAheadEnabled && DurabilityReports.accepted(response.data());
        if (!session.handleResponse(response, version)) {
            Errors error = Errors.forCode(response.data().errorCode());
            if (error == Errors.FETCH_SESSION_ID_NOT_FOUND || error == Errors.INVALID_FETCH_SESSION_EPOCH) {
                // the leader lost or moved on from our session (it restarted, or evicted it): a full fetch now
                log.info("Fetch session with broker {} ended ({}); fetching in full", leaderId, error);
            } else {
                backOffAll(batch, error);
            }
            return;
        }
        Map<Uuid, String> names = session.sessionTopicNames();
        for (FetchResponseData.FetchableTopicResponse t : response.data().responses()) {
            String topic = names.get(t.topicId());
            for (FetchResponseData.PartitionData pd : t.partitions()) {
                Fetching f = batch.get(new TopicPartition(topic == null ? "?" : topic, pd.partitionIndex()));
                if (f != null && current(f)) {
                    handle(f, pd);
                }
            }
        }
        metrics.ackLatency().record(AckLatency.Phase.FOLLOWER_APPEND, System.nanoTime() - received);
    }

    /** Fetching ahead, the follower's fsync wait is no longer the fetcher's: timed from the append instead. */
    private void timeUntilDurable(Partition p) {
        long start = System.nanoTime();
        p.log()
                .awaitDurable(p.log().logEndOffset())
                .thenRun(() ->
                        metrics.ackLatency().record(AckLatency.Phase.FOLLOWER_DURABLE_WAIT, System.nanoTime() - start));
    }

    /** The partitions of {@code batch} whose log is durable to less than its end, with that durable end. */
    private static Map<DurabilityReports.Key, Long> notDurable(Map<TopicPartition, Fetching> batch) {
        Map<DurabilityReports.Key, Long> out = new java.util.HashMap<>();
        for (Fetching f : batch.values()) {
            Partition p = f.partition;
            long durable = p.log().durableEndOffset();
            if (durable < p.log().logEndOffset()) {
                out.put(
                        new DurabilityReports.Key(
                                p.topicId(), p.topicPartition().partition()),
                        durable);
            }
        }
        return out;
    }

    private boolean current(Fetching f) {
        lock.lock();
        try {
            return partitions.get(f.partition.topicPartition()) == f;
        } finally {
            lock.unlock();
        }
    }

    private void handle(Fetching f, FetchResponseData.PartitionData pd) {
        Partition p = f.partition;
        Errors error = Errors.forCode(pd.errorCode());
        try {
            switch (error) {
                case NONE -> {
                    FetchResponseData.EpochEndOffset diverging = pd.divergingEpoch();
                    if (diverging != null && diverging.endOffset() >= 0) {
                        truncateOnDivergence(f, diverging.epoch(), diverging.endOffset());
                        return;
                    }
                    if (pd.records() instanceof MemoryRecords records && records.sizeInBytes() > 0) {
                        p.appendAsFollower(records, f.leaderEpoch);
                        metrics.replicated(records.sizeInBytes());
                        if (leaderReadsDurability) {
                            timeUntilDurable(p);
                        }
                    }
                    f.lag = Math.max(0, pd.highWatermark() - p.log().logEndOffset());
                    p.updateFollowerHighWatermark(pd.highWatermark());
                    p.followLeaderLogStart(pd.logStartOffset());
                }
                case OFFSET_OUT_OF_RANGE -> {
                    long leaderStart = pd.logStartOffset();
                    if (leaderStart >= 0 && p.log().logEndOffset() < leaderStart) {
                        p.restartAsFollowerAt(leaderStart, f.leaderEpoch);
                    } else {
                        p.truncateAsFollower(Math.min(p.highWatermark(), p.log().logEndOffset()), f.leaderEpoch);
                    }
                }
                case UNKNOWN_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID ->
                    backOff(f, error, 100);
                default -> backOff(f, error, backoffMs);
            }
        } catch (io.strand.wal.LogDirFullException e) {
            // the guard logs when the directory goes below its floor and back; retry quietly meanwhile
            log.debug("{}: follower append waits for free space: {}", p.topicPartition(), e.getMessage());
            backOff(f, Errors.KAFKA_STORAGE_ERROR, backoffMs);
        } catch (ApiException e) {
            log.warn(
                    "{}: follower append from leader {} at epoch {} failed: {}",
                    p.topicPartition(),
                    leaderId,
                    f.leaderEpoch,
                    e.toString());
            backOff(f, Errors.forException(e), backoffMs);
        }
    }

    /**
     * The leader says our log diverges after {@code leaderEndOffset} in {@code epoch}: keep what both
     * logs share, i.e. up to the smaller of the leader's end for that epoch and ours.
     */
    private void truncateOnDivergence(Fetching f, int epoch, long leaderEndOffset) {
        Partition p = f.partition;
        long ours = p.log().endOffsetForEpoch(epoch).endOffset();
        long to = ours < 0 ? leaderEndOffset : Math.min(leaderEndOffset, ours);
        p.truncateAsFollower(Math.min(to, p.log().logEndOffset()), f.leaderEpoch);
    }

    private void backOff(Fetching f, Errors error, long ms) {
        log.debug(
                "{}: fetch from leader {} at epoch {} answered {}; retrying in {} ms",
                f.partition.topicPartition(),
                leaderId,
                f.leaderEpoch,
                error,
                ms);
        f.retryAtMs = System.currentTimeMillis() + ms;
    }

    private void backOffAll(Map<TopicPartition, Fetching> batch, Errors error) {
        log.info("Fetch from broker {} failed with {}", leaderId, error);
        batch.values().forEach(f -> backOff(f, error, backoffMs));
    }

    /** Waits {@code ms}, or less if the fetcher is shut down meanwhile. */
    private void sleepQuietly(long ms) {
        lock.lock();
        try {
            if (running) {
                changed.await(ms, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }
}
