package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicView;
import io.strand.server.fetch.CaughtUpMark;
import io.strand.server.fetch.FetchContext;
import io.strand.server.fetch.FetchSessions;
import io.strand.server.metrics.BrokerTopicMetrics;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.replica.DurabilityReports;
import io.strand.server.replica.Partition;
import io.strand.server.replica.ReplicaManager;
import io.strand.server.replica.ReplicationThrottle;
import io.strand.server.security.RequestAuthorization;
import io.strand.wal.AbortedTxn;
import io.strand.wal.EpochEndOffset;
import io.strand.wal.LogReadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetch, for consumers and for follower replicas. Consumers read each partition from its leader's
 * log up to the high watermark; followers (replica id set) read up to the log end, and their fetch
 * offset tells the leader how far their log durably reaches (high watermark, ISR) — or, from a Strand follower
 * that fetches ahead of its fsyncs, the durable ends it lists ({@link DurabilityReports}). A follower whose
 * log diverges from the leader's (its last fetched epoch ends earlier here) gets the diverging epoch
 * and end offset instead of records, and truncates. Records go out as zero-copy file slices. If fewer than {@code min_bytes} are available it long-polls: the request
 * waits until an append or a high-watermark move on one of its partitions makes enough data
 * available, or {@code max_wait_ms} passes. Incremental fetch sessions (KIP-227, {@link FetchSessions}):
 * a fetcher's session holds its partitions, an incremental request names only those whose fetch
 * position changed, and its response carries only the partitions that have something new.
 *
 * <p>Authorization as Kafka's: a follower's fetch needs CLUSTER_ACTION on the cluster (else every
 * partition is TOPIC_AUTHORIZATION_FAILED and the fetch tells the leader nothing); a consumer's
 * needs READ on each topic (TOPIC_AUTHORIZATION_FAILED, after UNKNOWN_TOPIC_ID for an unknown id,
 * before whether the topic exists).
 */
public final class FetchHandler implements ApiHandler<FetchRequestData> {
    private static final Logger log = LoggerFactory.getLogger(FetchHandler.class);

    private final ReplicaManager replicas;
    private final TopicResolver topics;
    private final ScheduledExecutorService timer;
    private final ReplicationThrottle throttle;
    private final RequestAuthorization auth;
    private final BrokerTopicMetrics bytesOut;
    private final FetchSessions sessions;

    /**
     * With {@code throttle} limiting what replicas being added by a reassignment get, and the broker's
     * fetch {@code sessions}.
     */
    public FetchHandler(
            ReplicaManager replicas,
            MetadataCache cache,
            ScheduledExecutorService timer,
            ReplicationThrottle throttle,
            RequestAuthorization auth,
            BrokerTopicMetrics bytesOut,
            FetchSessions sessions) {
        this.replicas = replicas;
        this.sessions = sessions;
        this.bytesOut = bytesOut;
        this.topics = new TopicResolver(cache);
        this.timer = timer;
        this.throttle = throttle;
        this.auth = auth;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    /**
     * One requested partition; {@code denied} when the principal may not fetch it. From a follower, the durable end
     * it reported for the partition if it is below its fetch offset (else null), and in its incremental session the
     * partition's {@link CaughtUpMark} (else null). The broker's partition is looked up when first needed: a
     * partition unchanged since its follower was caught up is not looked up at all.
     */
    private static final class Wanted {
        final FetchRequestData.FetchTopic topic;
        final FetchRequestData.FetchPartition request;
        final Optional<TopicView> view;
        final boolean denied;
        final Long reportedDurableEnd;
        final CaughtUpMark caughtUp;
        private final ReplicaManager replicas;
        /** Null until looked up (request threads of one fetch may race to it: both find the same). */
        private volatile Optional<Partition> partition;

        Wanted(
                FetchRequestData.FetchTopic topic,
                FetchRequestData.FetchPartition request,
                Optional<TopicView> view,
                boolean denied,
                Long reportedDurableEnd,
                CaughtUpMark caughtUp,
                ReplicaManager replicas) {
            this.topic = topic;
            this.request = request;
            this.view = view;
            this.denied = denied;
            this.reportedDurableEnd = reportedDurableEnd;
            this.caughtUp = caughtUp;
            this.replicas = replicas;
        }

        /** The broker's partition, if it hosts it (empty when denied or the topic is unknown). */
        Optional<Partition> partition() {
            Optional<Partition> p = partition;
            if (p == null) {
                p = denied
                        ? Optional.empty()
                        : view.flatMap(v -> replicas.partition(new TopicPartition(v.name(), request.partition())));
                partition = p;
            }
            return p;
        }

        /**
         * A follower's session partition that it had whole at an earlier fetch and that has not changed since: its
         * fetch position is the same (it would have named the partition), it reports no fsync pending, and the
         * partition it was marked on still leads (a closed or replaced one does not) in the same state. Nothing is
         * read for it, and its follower state only notes that it is still caught up.
         */
        boolean unchangedSinceCaughtUp() {
            Partition p = markedPartition();
            return p != null
                    && reportedDurableEnd == null
                    && p.isLeader()
                    && caughtUp.unchanged(
                            p,
                            p.log().logEndOffset(),
                            p.highWatermark(),
                            p.log().logStartOffset(),
                            p.stateVersion());
        }

        /** The partition its caught-up mark was taken on, or null. */
        Partition markedPartition() {
            return caughtUp != null && caughtUp.partition() instanceof Partition p ? p : null;
        }

        /** The partition whose changes should wake a fetch parked on this one: the marked one, else the hosted one. */
        Optional<Partition> listenedPartition() {
            Partition marked = markedPartition();
            return marked != null && marked.isLeader() ? Optional.of(marked) : partition();
        }
    }

    @Override
    public CompletionStage<FetchResponseData> handle(RequestContext ctx, FetchRequestData request) {
        boolean byId = ctx.apiVersion() >= 13;
        int replicaId = ctx.apiVersion() >= 15 ? request.replicaState().replicaId() : request.replicaId();
        boolean follower = replicaId >= 0;
        // the partitions to read: the request's, or in an incremental fetch its session's
        FetchContext session = sessions.newContext(ctx.apiVersion(), request, follower);
        List<FetchRequestData.FetchTopic> requested = session.topics();
        boolean followerAllowed = follower && auth.allowedOnCluster(ctx, AclOperation.CLUSTER_ACTION);
        Predicate<String> readable = follower
                ? name -> followerAllowed
                : auth.allowedTopics(
                        ctx, AclOperation.READ, requested, ft -> topics.name(ft.topic(), ft.topicId(), byId));
        short version = ctx.apiVersion();
        boolean reportsDurability = follower && version >= DurabilityReports.MIN_VERSION;
        Map<DurabilityReports.Key, Long> durableEnds;
        try {
            durableEnds = reportsDurability ? DurabilityReports.read(request) : Map.of();
        } catch (IllegalArgumentException e) {
            log.warn("Fetch from replica {}: {}", replicaId, e.getMessage());
            return CompletableFuture.completedFuture(
                    new FetchResponseData().setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        List<CaughtUpMark> marks = follower ? session.caughtUpMarks() : List.of();
        List<Wanted> wanted = new ArrayList<>();
        for (FetchRequestData.FetchTopic ft : requested) {
            Optional<TopicView> view = topics.resolve(ft.topic(), ft.topicId(), byId);
            String name = byId ? view.map(TopicView::name).orElse(null) : ft.topic(); // null: UNKNOWN_TOPIC_ID
            boolean denied = follower ? !followerAllowed : name != null && !readable.test(name);
            for (FetchRequestData.FetchPartition fp : ft.partitions()) {
                Long reported = durableEnds.isEmpty()
                        ? null
                        : durableEnds.get(new DurabilityReports.Key(ft.topicId(), fp.partition()));
                CaughtUpMark mark = marks.isEmpty() ? null : marks.get(wanted.size());
                wanted.add(new Wanted(ft, fp, view, denied, reported, mark, replicas));
            }
        }
        if (follower) {
            recordFollowerFetches(wanted, replicaId, version);
        }
        ReadOutcome first = read(wanted, request, byId, version);
        if (first.answerNow || first.bytes >= request.minBytes() || request.maxWaitMs() <= 0 || wanted.isEmpty()) {
            return CompletableFuture.completedFuture(
                    respond(session, countBytesOut(first, follower), reportsDurability));
        }
        return new DelayedFetch(wanted, request, byId, version)
                .start()
                .thenApply(read -> respond(session, countBytesOut(read, follower), reportsDurability));
    }

    /** The session's response; to a Strand follower's fetch it says that its durable offsets are read. */
    private static FetchResponseData respond(FetchContext session, FetchResponseData response, boolean toFollower) {
        FetchResponseData out = session.respond(response);
        if (toFollower) {
            DurabilityReports.accept(out);
        }
        return out;
    }

    /** Counts the record bytes of the response going out; returns the response. */
    private FetchResponseData countBytesOut(ReadOutcome read, boolean follower) {
        int i = 0;
        for (FetchResponseData.FetchableTopicResponse t : read.response.responses()) {
            for (FetchResponseData.PartitionData pd : t.partitions()) {
                Wanted w = read.answered.get(i++);
                int n = pd.records() == null ? 0 : pd.records().sizeInBytes();
                if (n > 0 && w.view.isPresent()) {
                    if (follower) {
                        bytesOut.sentToFollower(n);
                    } else {
                        bytesOut.sentToConsumer(w.view.get().name(), n);
                    }
                }
            }
        }
        return read.response;
    }

    /**
     * A follower's fetch offset is its log end, and its durable log end unless it listed less for that partition
     * ({@link DurabilityReports}): tell the leader the durable end, unless the follower's log diverges from ours or
     * its offset is beyond our log (then it must truncate first).
     */
    private static void recordFollowerFetches(List<Wanted> wanted, int replicaId, short version) {
        long now = System.currentTimeMillis();
        for (Wanted w : wanted) {
            if (w.unchangedSinceCaughtUp()) {
                w.markedPartition().onFollowerStillCaughtUp(replicaId, now);
                continue;
            }
            if (w.denied || w.partition().isEmpty() || !w.partition().get().isLeader()) {
                continue;
            }
            Partition p = w.partition().get();
            if (p.checkLeaderEpoch(w.request.currentLeaderEpoch()) != Errors.NONE) {
                continue;
            }
            long offset = w.request.fetchOffset();
            boolean diverging = version >= 12 && p.divergence(w.request.lastFetchedEpoch(), offset) != null;
            if (!diverging
                    && offset <= p.log().logEndOffset()
                    && offset >= p.log().logStartOffset()) {
                Long durable = w.reportedDurableEnd;
                p.onFollowerFetch(replicaId, durable == null ? offset : Math.min(offset, durable), now);
            }
        }
    }

    /** A read: the response, its partitions' requests ({@code answered}, in order), bytes, whether to answer now. */
    private record ReadOutcome(FetchResponseData response, List<Wanted> answered, long bytes, boolean answerNow) {}

    private ReadOutcome read(List<Wanted> wanted, FetchRequestData request, boolean byId, short version) {
        FetchResponseData response = new FetchResponseData().setSessionId(0).setErrorCode(Errors.NONE.code());
        List<Wanted> answered = new ArrayList<>();
        int replicaId = replicaIdOf(request, version);
        // reassignment traffic is throttled: asked per partition only while some topic is being reassigned
        boolean mayThrottle = replicaId >= 0 && throttle.anyReassignment();
        long bytes = 0;
        boolean answerNow = false;
        int budget = request.maxBytes() > 0 ? request.maxBytes() : Integer.MAX_VALUE;
        FetchResponseData.FetchableTopicResponse currentTopic = null;
        FetchRequestData.FetchTopic currentRequestTopic = null;
        for (Wanted w : wanted) {
            if (w.unchangedSinceCaughtUp()) {
                continue;
            }
            if (w.topic != currentRequestTopic) {
                currentRequestTopic = w.topic;
                currentTopic = new FetchResponseData.FetchableTopicResponse();
                if (byId) {
                    currentTopic.setTopicId(w.topic.topicId());
                } else {
                    currentTopic.setTopic(w.topic.topic());
                }
                response.responses().add(currentTopic);
            }
            FetchResponseData.PartitionData pd = new FetchResponseData.PartitionData()
                    .setPartitionIndex(w.request.partition())
                    .setHighWatermark(-1)
                    .setLastStableOffset(-1)
                    .setLogStartOffset(-1)
                    .setRecords(MemoryRecords.EMPTY);
            currentTopic.partitions().add(pd);
            answered.add(w);
            Errors error = readPartition(
                    w,
                    pd,
                    Math.min(budget, w.request.partitionMaxBytes()),
                    bytes == 0,
                    byId,
                    version,
                    replicaId,
                    mayThrottle,
                    version >= 4 && request.isolationLevel() == IsolationLevel.READ_COMMITTED.id());
            if (error != Errors.NONE) {
                pd.setErrorCode(error.code());
                answerNow = true;
            } else if (pd.divergingEpoch().endOffset() >= 0) {
                answerNow = true; // the follower must truncate: answer at once
            } else {
                int n = pd.records().sizeInBytes();
                bytes += n;
                budget = Math.max(0, budget - n);
            }
        }
        return new ReadOutcome(response, answered, bytes, answerNow);
    }

    private Errors readPartition(
            Wanted w,
            FetchResponseData.PartitionData pd,
            int maxBytes,
            boolean minOneBatch,
            boolean byId,
            short version,
            int replicaId,
            boolean mayThrottle,
            boolean readCommitted) {
        boolean follower = replicaId >= 0;
        if (w.denied) {
            return Errors.TOPIC_AUTHORIZATION_FAILED;
        }
        if (w.view.isEmpty()) {
            return byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (w.request.partition() < 0 || w.request.partition() >= w.view.get().partitionCount()) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (w.partition().isEmpty() || !w.partition().get().isLeader()) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        Partition p = w.partition().get();
        Errors epochError = p.checkLeaderEpoch(w.request.currentLeaderEpoch());
        if (epochError != Errors.NONE) {
            return epochError;
        }
        // the partition as this read finds it, before reading: a change after this makes the mark stale
        long logEnd = p.log().logEndOffset();
        int state = p.stateVersion();
        long hw = p.highWatermark();
        long lso = p.lastStableOffset();
        long logStart = p.log().logStartOffset();
        if (w.caughtUp != null) {
            w.caughtUp.clear();
        }
        pd.setHighWatermark(hw).setLastStableOffset(lso);
        if (version >= 5) {
            pd.setLogStartOffset(logStart);
        }
        if (follower && version >= 12) {
            EpochEndOffset diverging = p.divergence(w.request.lastFetchedEpoch(), w.request.fetchOffset());
            if (diverging != null) {
                pd.setDivergingEpoch(new FetchResponseData.EpochEndOffset()
                        .setEpoch(diverging.epoch())
                        .setEndOffset(diverging.endOffset()));
                return Errors.NONE;
            }
        }
        // catch-up traffic of a reassignment: nothing while the throttle's budget is spent
        boolean throttled = mayThrottle && throttle.applies(p.topicPartition(), replicaId);
        if (throttled) {
            long allowance = throttle.allowance();
            if (allowance <= 0) {
                return Errors.NONE;
            }
            maxBytes = (int) Math.min(maxBytes, allowance);
            minOneBatch = true;
        }
        try {
            boolean stableOnly = readCommitted && !follower;
            LogReadResult r = follower
                    ? p.readForFollower(w.request.fetchOffset(), maxBytes, minOneBatch)
                    : stableOnly
                            ? p.readStable(w.request.fetchOffset(), maxBytes, minOneBatch)
                            : p.readCommitted(w.request.fetchOffset(), maxBytes, minOneBatch);
            pd.setRecords(r.records());
            if (w.caughtUp != null
                    && r.records().sizeInBytes() == 0
                    && w.request.fetchOffset() == logEnd
                    && w.reportedDurableEnd == null
                    && p.isr().contains(replicaId)) {
                w.caughtUp.mark(p, logEnd, hw, logStart, state); // the follower has it all, durably
            }
            if (stableOnly) { // the consumer drops the records of these transactions
                List<FetchResponseData.AbortedTransaction> aborted = new ArrayList<>();
                for (AbortedTxn a : p.abortedTransactions(w.request.fetchOffset(), lso)) {
                    aborted.add(new FetchResponseData.AbortedTransaction()
                            .setProducerId(a.producerId())
                            .setFirstOffset(a.firstOffset()));
                }
                pd.setAbortedTransactions(aborted);
            }
            if (throttled) {
                throttle.record(r.records().sizeInBytes());
            }
            return Errors.NONE;
        } catch (ApiException e) {
            return Errors.forException(e);
        }
    }

    private static int replicaIdOf(FetchRequestData request, short version) {
        return version >= 15 ? request.replicaState().replicaId() : request.replicaId();
    }

    /** A fetch parked until enough data is available on one of its partitions, or until max_wait_ms. */
    private final class DelayedFetch implements Runnable {
        private final List<Wanted> wanted;
        private final FetchRequestData request;
        private final boolean byId;
        private final short version;
        private final CompletableFuture<ReadOutcome> result = new CompletableFuture<>();
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile ScheduledFuture<?> timeout;
        /** The partitions whose changes wake it; set before it registers with them. */
        private volatile List<Partition> listened = List.of();

        DelayedFetch(List<Wanted> wanted, FetchRequestData request, boolean byId, short version) {
            this.wanted = wanted;
            this.request = request;
            this.byId = byId;
            this.version = version;
        }

        CompletableFuture<ReadOutcome> start() {
            if (request.minBytes() == Integer.MAX_VALUE) {
                // no response reaches that: it waits max_wait_ms (a fetching-ahead follower's short wait for
                // whatever arrives meanwhile), without a re-read of every partition at every append
                timeout = timer.schedule(this::expire, request.maxWaitMs(), TimeUnit.MILLISECONDS);
                return result;
            }
            List<Partition> targets = new ArrayList<>(wanted.size());
            wanted.forEach(w -> w.listenedPartition().ifPresent(targets::add));
            listened = targets;
            targets.forEach(p -> p.addChangeListener(this));
            if (done.get()) {
                stopListening(); // answered while registering: what it registered after that must go too
                return result;
            }
            timeout = timer.schedule(this::expire, request.maxWaitMs(), TimeUnit.MILLISECONDS);
            run(); // data may have arrived between the first read and the registration
            return result;
        }

        /** A partition changed: answer now if enough is available. */
        @Override
        public void run() {
            if (done.get()) {
                return;
            }
            try {
                ReadOutcome now = read(wanted, request, byId, version);
                if (now.answerNow || now.bytes >= request.minBytes()) {
                    complete(now);
                }
            } catch (RuntimeException e) {
                fail(e); // e.g. a log closed under it as the broker stops: never leave the request unanswered
            }
        }

        private void expire() {
            try {
                complete(read(wanted, request, byId, version));
            } catch (RuntimeException e) {
                fail(e);
            }
        }

        private void stopListening() {
            listened.forEach(p -> p.removeChangeListener(this));
        }

        private void fail(RuntimeException e) {
            if (done.compareAndSet(false, true)) {
                stopListening();
                result.completeExceptionally(e);
            }
        }

        private void complete(ReadOutcome response) {
            if (done.compareAndSet(false, true)) {
                stopListening();
                ScheduledFuture<?> t = timeout;
                if (t != null) {
                    t.cancel(false);
                }
                result.complete(response);
            }
        }
    }
}
