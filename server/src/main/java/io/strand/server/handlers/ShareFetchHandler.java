package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.server.handlers.ShareTargets.Target;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.replica.ReplicaManager;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.share.SharePartition;
import io.strand.server.share.SharePartitionManager;
import io.strand.server.share.ShareSessions;
import io.strand.server.share.ShareSessions.SessionPartition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ShareFetch (KIP-932), v1-2: a share-group member's fetch from the partitions this broker leads. The
 * share session (group, member, epoch: 0 opens, -1 closes, else must match; topics added and forgotten
 * incrementally) says which partitions; piggybacked acknowledgements are applied first (and persisted)
 * and answered per partition as the acknowledge error; then available records are acquired for the
 * member up to {@code max_records} (v2 {@code share_acquire_mode} 1: exactly, else whole batches) and
 * {@code max_bytes}, answered as AcquiredRecords ranges with delivery counts and the record batches
 * that hold them. Nothing to acquire: it long-polls until records arrive or are released, or
 * {@code max_wait_ms}. A partition this broker does not lead is NOT_LEADER_OR_FOLLOWER with the
 * current leader and its endpoint. The final epoch only acknowledges and closes the session (the
 * member's acquired records are released); v2's {@code is_renew_ack} only acknowledges. As Kafka checks:
 * needs READ on the group (else GROUP_AUTHORIZATION_FAILED) and on each topic (else
 * TOPIC_AUTHORIZATION_FAILED on its partitions, fetched or acknowledged).
 */
public final class ShareFetchHandler implements ApiHandler<ShareFetchRequestData> {
    private static final byte RECORD_LIMIT = 1;
    private static final int DEFAULT_MAX_RECORDS = 500;

    private final ReplicaManager replicas;
    private final MetadataCache cache;
    private final SharePartitionManager shares;
    private final ScheduledExecutorService timer;
    private final RequestAuthorization auth;
    private final AtomicInteger rotation = new AtomicInteger();

    public ShareFetchHandler(
            ReplicaManager replicas,
            MetadataCache cache,
            SharePartitionManager shares,
            ScheduledExecutorService timer,
            RequestAuthorization auth) {
        this.auth = auth;
        this.replicas = replicas;
        this.cache = cache;
        this.shares = shares;
        this.timer = timer;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_FETCH;
    }

    /** The answer being built for one partition. */
    private static final class Answer {
        final Target target;
        Errors error = Errors.NONE;
        Errors ackError;
        SharePartition sharePartition;
        SharePartition.Acquired acquired = SharePartition.Acquired.NONE;

        Answer(Target target) {
            this.target = target;
        }
    }

    @Override
    public CompletionStage<ShareFetchResponseData> handle(RequestContext ctx, ShareFetchRequestData request) {
        auth.require(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId());
        String group = request.groupId();
        String member = request.memberId();
        if (group == null || group.isEmpty() || member == null || member.isEmpty()) {
            return CompletableFuture.completedFuture(topError(Errors.INVALID_REQUEST));
        }
        Map<SessionPartition, List<SharePartition.AckBatch>> acks = new LinkedHashMap<>();
        List<SessionPartition> requested = new ArrayList<>();
        for (ShareFetchRequestData.FetchTopic t : request.topics()) {
            for (ShareFetchRequestData.FetchPartition p : t.partitions()) {
                SessionPartition sp = new SessionPartition(t.topicId(), p.partitionIndex());
                requested.add(sp);
                if (!p.acknowledgementBatches().isEmpty()) {
                    List<SharePartition.AckBatch> batches = new ArrayList<>();
                    p.acknowledgementBatches()
                            .forEach(b -> batches.add(
                                    ShareTargets.ack(b.firstOffset(), b.lastOffset(), b.acknowledgeTypes())));
                    acks.put(sp, batches);
                }
            }
        }
        List<SessionPartition> forgotten = new ArrayList<>();
        for (ShareFetchRequestData.ForgottenTopic f : request.forgottenTopicsData()) {
            f.partitions().forEach(p -> forgotten.add(new SessionPartition(f.topicId(), p)));
        }
        if (request.shareSessionEpoch() == -1) {
            requested.removeAll(acks.keySet()); // the final fetch may name partitions only to acknowledge
        }
        ShareSessions.Context session = shares.sessions()
                .fetch(group, member, request.shareSessionEpoch(), requested, forgotten, !acks.isEmpty());
        if (session.error() != Errors.NONE) {
            return CompletableFuture.completedFuture(topError(session.error()));
        }
        boolean renewOnly = ctx.apiVersion() >= 2 && request.isRenewAck();
        // every partition answered: the session's (to fetch from) and the acknowledged ones
        LinkedHashSet<SessionPartition> keys =
                new LinkedHashSet<>(session.closing() || renewOnly ? List.of() : session.partitions());
        keys.addAll(acks.keySet());
        Map<SessionPartition, Answer> answers = new LinkedHashMap<>();
        Predicate<String> readable = ShareTargets.readable(auth, ctx, cache, keys);
        for (SessionPartition k : keys) {
            Target t = ShareTargets.resolve(replicas, cache, k, readable);
            answers.put(k, new Answer(t));
            if (session.full() && t.ok()) {
                shares.refreshIfIdle(group, t.tp());
            }
        }
        List<CompletableFuture<Void>> loading = new ArrayList<>();
        for (Answer a : answers.values()) {
            if (!a.target.ok()) {
                a.error = a.target.error();
                continue;
            }
            loading.add(ShareTargets.sharePartition(shares, group, a.target).handle((sp, t) -> {
                if (t != null) {
                    a.error = ShareTargets.errorOf(t);
                } else {
                    a.sharePartition = sp;
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(loading.toArray(CompletableFuture[]::new))
                .thenCompose(v -> {
                    // the acknowledgements are applied at once and persisted while the next records are acquired
                    // (released ones among them); the answer waits for both
                    CompletableFuture<Void> acked = acknowledge(member, acks, answers, renewOnly);
                    if (session.closing()) {
                        return acked.thenCompose(x -> shares.closeSession(group, member))
                                .thenApply(x -> response(ctx, answers, true));
                    }
                    if (renewOnly) {
                        return acked.thenApply(x -> response(ctx, answers, true));
                    }
                    List<Answer> fetchable = new ArrayList<>();
                    for (SessionPartition k : session.partitions()) {
                        Answer a = answers.get(k);
                        if (a != null && a.sharePartition != null && a.error == Errors.NONE) {
                            fetchable.add(a);
                        }
                    }
                    boolean acquired = acquire(member, request, ctx.apiVersion(), fetchable);
                    boolean errors = answers.values().stream().anyMatch(a -> a.error != Errors.NONE);
                    CompletableFuture<Void> fetched =
                            acquired || errors || fetchable.isEmpty() || request.maxWaitMs() <= 0
                                    ? CompletableFuture.completedFuture(null)
                                    : new DelayedShareFetch(member, request, ctx.apiVersion(), fetchable).start();
                    return fetched.thenCombine(acked, (x, y) -> response(ctx, answers, session.full()));
                });
    }

    private static CompletableFuture<Void> acknowledge(
            String member,
            Map<SessionPartition, List<SharePartition.AckBatch>> acks,
            Map<SessionPartition, Answer> answers,
            boolean renewAllowed) {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        acks.forEach((k, batches) -> {
            Answer a = answers.get(k);
            if (a.sharePartition == null) {
                a.ackError = a.error;
                return;
            }
            pending.add(
                    a.sharePartition.acknowledge(member, batches, renewAllowed).thenAccept(e -> a.ackError = e));
        });
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new));
    }

    /** One acquisition round over {@code fetchable}, starting at a rotating partition; true if any record was acquired. */
    private boolean acquire(String member, ShareFetchRequestData request, short version, List<Answer> fetchable) {
        int maxRecords = request.maxRecords() > 0 ? request.maxRecords() : DEFAULT_MAX_RECORDS;
        int maxBytes = request.maxBytes() > 0 ? request.maxBytes() : Integer.MAX_VALUE;
        boolean strict = version >= 2 && request.shareAcquireMode() == RECORD_LIMIT;
        int start = Math.floorMod(rotation.getAndIncrement(), fetchable.size());
        boolean any = false;
        for (int i = 0; i < fetchable.size() && maxRecords > 0 && maxBytes > 0; i++) {
            Answer a = fetchable.get((start + i) % fetchable.size());
            if (!a.acquired.ranges().isEmpty()) {
                continue;
            }
            SharePartition.Acquired got = a.sharePartition.acquire(member, maxRecords, maxBytes, strict);
            if (!got.ranges().isEmpty()) {
                a.acquired = got;
                maxRecords -= got.count();
                maxBytes -= got.records().sizeInBytes();
                any = true;
            }
        }
        return any;
    }

    private ShareFetchResponseData response(RequestContext ctx, Map<SessionPartition, Answer> answers, boolean all) {
        ShareFetchResponseData r = new ShareFetchResponseData()
                .setErrorCode(Errors.NONE.code())
                .setAcquisitionLockTimeoutMs(shares.config().recordLockDurationMs());
        Map<Uuid, ShareFetchResponseData.ShareFetchableTopicResponse> topics = new LinkedHashMap<>();
        for (Answer a : answers.values()) {
            boolean interesting = a.error != Errors.NONE
                    || a.ackError != null
                    || !a.acquired.ranges().isEmpty();
            if (!all && !interesting) {
                continue;
            }
            ShareFetchResponseData.PartitionData pd = new ShareFetchResponseData.PartitionData()
                    .setPartitionIndex(a.target.key().partition())
                    .setErrorCode(a.error.code())
                    .setErrorMessage(a.error == Errors.NONE ? null : a.error.message())
                    .setAcknowledgeErrorCode(a.ackError == null ? 0 : a.ackError.code())
                    .setAcknowledgeErrorMessage(
                            a.ackError == null || a.ackError == Errors.NONE ? null : a.ackError.message())
                    .setRecords(a.acquired.records() == null ? MemoryRecords.EMPTY : a.acquired.records());
            for (SharePartition.AcquiredRange range : a.acquired.ranges()) {
                pd.acquiredRecords()
                        .add(new ShareFetchResponseData.AcquiredRecords()
                                .setFirstOffset(range.firstOffset())
                                .setLastOffset(range.lastOffset())
                                .setDeliveryCount((short) range.deliveryCount()));
            }
            if (a.error == Errors.NOT_LEADER_OR_FOLLOWER || a.ackError == Errors.NOT_LEADER_OR_FOLLOWER) {
                pd.currentLeader().setLeaderId(a.target.leaderId()).setLeaderEpoch(a.target.leaderEpoch());
                addEndpoint(r, ctx, a.target.leaderId());
            }
            topics.computeIfAbsent(a.target.key().topicId(), id -> {
                        ShareFetchResponseData.ShareFetchableTopicResponse t =
                                new ShareFetchResponseData.ShareFetchableTopicResponse().setTopicId(id);
                        r.responses().add(t);
                        return t;
                    })
                    .partitions()
                    .add(pd);
        }
        return r;
    }

    private void addEndpoint(ShareFetchResponseData r, RequestContext ctx, int leaderId) {
        if (leaderId < 0 || r.nodeEndpoints().find(leaderId) != null) {
            return;
        }
        ShareTargets.endpoint(cache, leaderId, ctx.listenerName())
                .ifPresent(ep -> r.nodeEndpoints()
                        .add(new ShareFetchResponseData.NodeEndpoint()
                                .setNodeId(leaderId)
                                .setHost(ep.getHost())
                                .setPort(ep.getPort())
                                .setRack(ShareTargets.rackOf(cache, leaderId).orElse(null))));
    }

    private static ShareFetchResponseData topError(Errors e) {
        return new ShareFetchResponseData().setErrorCode(e.code()).setErrorMessage(e.message());
    }

    /**
     * A share fetch that acquired nothing, parked until records arrive on one of its partitions (a
     * high-watermark move) or are released there, or until max_wait_ms.
     */
    private final class DelayedShareFetch implements Runnable {
        private final String member;
        private final ShareFetchRequestData request;
        private final short version;
        private final List<Answer> fetchable;
        private final CompletableFuture<Void> result = new CompletableFuture<>();
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile ScheduledFuture<?> timeout;

        DelayedShareFetch(String member, ShareFetchRequestData request, short version, List<Answer> fetchable) {
            this.member = member;
            this.request = request;
            this.version = version;
            this.fetchable = fetchable;
        }

        CompletableFuture<Void> start() {
            for (Answer a : fetchable) {
                a.target.leader().addChangeListener(this);
                a.sharePartition.addAvailabilityListener(this);
            }
            timeout = timer.schedule(this::complete, request.maxWaitMs(), TimeUnit.MILLISECONDS);
            run(); // records may have arrived between the first attempt and the registration
            return result;
        }

        @Override
        public void run() {
            if (done.get()) {
                return;
            }
            boolean got;
            synchronized (this) {
                if (done.get()) {
                    return;
                }
                got = acquire(member, request, version, fetchable);
            }
            if (got) {
                complete();
            }
        }

        private void complete() {
            synchronized (this) {
                if (!done.compareAndSet(false, true)) {
                    return;
                }
            }
            for (Answer a : fetchable) {
                a.target.leader().removeChangeListener(this);
                a.sharePartition.removeAvailabilityListener(this);
            }
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
            result.complete(null);
        }
    }
}
