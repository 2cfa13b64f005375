package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicView;
import io.strand.server.metrics.BrokerMetrics;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.replica.Partition;
import io.strand.server.replica.ReplicaManager;
import io.strand.server.security.RequestAuthorization;
import io.strand.wal.AppendResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.resource.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce: each partition's batches are appended by its leader (offsets assigned in place,
 * CRC/magic/size checked; a bad batch gets CORRUPT_MESSAGE / RECORD_TOO_LARGE / INVALID_RECORD and
 * nothing of it is written). acks=0 sends no response; acks=1 answers once the batch is durable on
 * this broker; acks=all checks the ISR against min.insync.replicas before appending and answers when
 * the high watermark passes the batch, or REQUEST_TIMED_OUT after the request's timeout. The
 * response goes out when every partition has its answer.
 *
 * <p>Authorization as Kafka's: transactional batches need WRITE on the transactional id (else the
 * whole request is TRANSACTIONAL_ID_AUTHORIZATION_FAILED); each topic needs WRITE
 * (TOPIC_AUTHORIZATION_FAILED, checked before whether the topic exists; an unknown topic id is
 * UNKNOWN_TOPIC_ID first).
 *
 * <p>Advertises Produce from version 0 although versions below 3 cannot be parsed: librdkafka
 * misbehaves otherwise (KAFKA-18659). Such a request closes the connection.
 */
public final class ProduceHandler implements ApiHandler<ProduceRequestData> {
    private static final Logger log = LoggerFactory.getLogger(ProduceHandler.class);

    private final ReplicaManager replicas;
    private final TopicResolver topics;
    private final BrokerMetrics metrics;
    private final RequestAuthorization auth;

    public ProduceHandler(
            ReplicaManager replicas, MetadataCache cache, BrokerMetrics metrics, RequestAuthorization auth) {
        this.replicas = replicas;
        this.topics = new TopicResolver(cache);
        this.metrics = metrics;
        this.auth = auth;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.PRODUCE;
    }

    @Override
    public short oldestVersion() {
        return 0;
    }

    @Override
    public short oldestParsableVersion() {
        return ApiKeys.PRODUCE.oldestVersion();
    }

    @Override
    public CompletionStage<ProduceResponseData> handle(RequestContext ctx, ProduceRequestData request) {
        short acks = request.acks();
        boolean byId = ctx.apiVersion() >= 13;
        if (auth.enabled()
                && RequestUtils.hasTransactionalRecords(new ProduceRequest(request, ctx.apiVersion()))
                && !auth.allowed(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId())) {
            throw new TransactionalIdAuthorizationException(
                    "not authorized to write for transactional id " + request.transactionalId());
        }
        Predicate<String> writable = auth.allowedTopics(
                ctx, AclOperation.WRITE, request.topicData(), td -> topics.name(td.name(), td.topicId(), byId));
        List<TopicProduceResponse> topicResponses = new ArrayList<>();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData td : request.topicData()) {
            Optional<TopicView> topic = topics.resolve(td.name(), td.topicId(), byId);
            TopicProduceResponse tr = new TopicProduceResponse();
            if (byId) {
                tr.setTopicId(td.topicId());
            } else {
                tr.setName(td.name());
            }
            topicResponses.add(tr);
            for (ProduceRequestData.PartitionProduceData pd : td.partitionData()) {
                PartitionProduceResponse pr = new PartitionProduceResponse().setIndex(pd.index());
                tr.partitionResponses().add(pr);
                if (acks != 0 && acks != 1 && acks != -1) {
                    fail(pr, Errors.INVALID_REQUIRED_ACKS, "acks must be -1, 0 or 1, was " + acks);
                } else if (byId && topic.isEmpty()) {
                    fail(pr, Errors.UNKNOWN_TOPIC_ID, null);
                } else if (!writable.test(byId ? topic.get().name() : td.name())) {
                    fail(pr, Errors.TOPIC_AUTHORIZATION_FAILED, null);
                } else if (topic.isEmpty()) {
                    fail(pr, Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
                } else {
                    TopicPartition tp = new TopicPartition(topic.get().name(), pd.index());
                    pending.add(append(tp, pd, acks, request.timeoutMs(), pr));
                }
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .thenApply(v -> acks == 0
                        ? null
                        : new ProduceResponseData()
                                .setResponses(new ProduceResponseData.TopicProduceResponseCollection(
                                        topicResponses.iterator())));
    }

    private CompletableFuture<Void> append(
            TopicPartition tp,
            ProduceRequestData.PartitionProduceData pd,
            short acks,
            int timeoutMs,
            PartitionProduceResponse pr) {
        Partition partition;
        AppendResult result;
        if (!(pd.records() instanceof MemoryRecords records)) {
            fail(pr, Errors.CORRUPT_MESSAGE, "no records");
            return CompletableFuture.completedFuture(null);
        }
        try {
            partition = replicas.leaderPartition(tp);
            result = partition.appendAsLeader(records, acks);
        } catch (ApiException e) {
            Errors error = Errors.forException(e);
            if (error != Errors.NOT_LEADER_OR_FOLLOWER) {
                log.info("Produce to {} refused with {}: {}", tp, error, e.getMessage());
            }
            fail(pr, error, e.getMessage());
            return CompletableFuture.completedFuture(null);
        }
        metrics.topics().produced(tp.topic(), result.recordCount(), records.sizeInBytes());
        pr.setBaseOffset(result.firstOffset())
                .setLogAppendTimeMs(result.logAppendTimeMs())
                .setLogStartOffset(result.logStartOffset());
        if (acks == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return partition
                .awaitAcknowledgement(result.lastOffset() + 1, acks)
                .orTimeout(Math.max(1, timeoutMs), TimeUnit.MILLISECONDS)
                .handle((ok, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause()
                                : error;
                        Errors code = cause instanceof TimeoutException
                                ? Errors.REQUEST_TIMED_OUT
                                : Errors.forException(cause);
                        log.info(
                                "Produce to {} at offset {} not acknowledged (acks={}): {}",
                                tp,
                                result.firstOffset(),
                                acks,
                                code);
                        pr.setBaseOffset(-1).setLogAppendTimeMs(-1);
                        fail(pr, code, cause.getMessage());
                    }
                    return null;
                });
    }

    private static void fail(PartitionProduceResponse pr, Errors error, String message) {
        pr.setErrorCode(error.code())
                .setErrorMessage(message)
                .setBaseOffset(-1)
                .setLogAppendTimeMs(-1)
                .setLogStartOffset(-1);
    }
}
