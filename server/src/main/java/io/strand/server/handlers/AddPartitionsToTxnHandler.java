package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.txn.TransactionCoordinator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * AddPartitionsToTxn, as Kafka answers it. v0-3 (clients): one transaction; a partition that does not
 * exist is UNKNOWN_TOPIC_OR_PARTITION and an internal topic TOPIC_AUTHORIZATION_FAILED, and then the
 * others OPERATION_NOT_ATTEMPTED; otherwise every partition gets the coordinator's answer (PRODUCER_FENCED
 * is INVALID_PRODUCER_EPOCH before v2). v4+ (brokers, KIP-890): a batch of transactions, each either
 * added or, with {@code verifyOnly}, checked: NONE for a partition already in the ongoing transaction,
 * TRANSACTION_ABORTABLE (v5) or INVALID_TXN_STATE (v4) for one that is not.
 *
 * <p>Authorization as Kafka's: v4+ comes from brokers and needs CLUSTER_ACTION on the cluster (else the
 * whole request is CLUSTER_AUTHORIZATION_FAILED); v0-3 needs WRITE on the transactional id (else
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED on every partition) and on each topic (else
 * TOPIC_AUTHORIZATION_FAILED, and the other partitions OPERATION_NOT_ATTEMPTED).
 */
public record AddPartitionsToTxnHandler(
        TransactionCoordinator transactions, MetadataCache cache, RequestAuthorization auth)
        implements ApiHandler<AddPartitionsToTxnRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ADD_PARTITIONS_TO_TXN;
    }

    @Override
    public CompletionStage<AddPartitionsToTxnResponseData> handle(
            RequestContext ctx, AddPartitionsToTxnRequestData request) {
        short version = ctx.apiVersion();
        if (version >= 4) {
            auth.requireOnCluster(ctx, AclOperation.CLUSTER_ACTION);
        }
        if (version < 4) {
            AddPartitionsToTxnTransaction single = new AddPartitionsToTxnTransaction()
                    .setTransactionalId(request.v3AndBelowTransactionalId())
                    .setProducerId(request.v3AndBelowProducerId())
                    .setProducerEpoch(request.v3AndBelowProducerEpoch())
                    .setVerifyOnly(false);
            request.v3AndBelowTopics().forEach(t -> single.topics().add(t.duplicate()));
            return transaction(ctx, single, version)
                    .thenApply(r -> new AddPartitionsToTxnResponseData().setResultsByTopicV3AndBelow(r.topicResults()));
        }
        List<CompletableFuture<AddPartitionsToTxnResult>> parts = new ArrayList<>();
        for (AddPartitionsToTxnTransaction t : request.transactions()) {
            parts.add(transaction(ctx, t, version));
        }
        return Batches.allInOrder(parts).thenApply(results -> {
            AddPartitionsToTxnResponseData response =
                    new AddPartitionsToTxnResponseData().setErrorCode(Errors.NONE.code());
            results.forEach(r -> response.resultsByTransaction().add(r));
            return response;
        });
    }

    private CompletableFuture<AddPartitionsToTxnResult> transaction(
            RequestContext ctx, AddPartitionsToTxnTransaction t, short version) {
        Set<TopicPartition> partitions = new LinkedHashSet<>();
        for (AddPartitionsToTxnTopic topic : t.topics()) {
            topic.partitions().forEach(p -> partitions.add(new TopicPartition(topic.name(), p)));
        }
        Map<TopicPartition, Errors> refused = new HashMap<>();
        Predicate<String> writable = name -> true; // v4+: a broker's, allowed as a whole
        if (version < 4) { // a client's
            if (!auth.allowed(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, t.transactionalId())) {
                partitions.forEach(tp -> refused.put(tp, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
                return CompletableFuture.completedFuture(result(t.transactionalId(), refused));
            }
            writable = auth.allowedTopics(
                    ctx,
                    AclOperation.WRITE,
                    t.topics().stream()
                            .filter(topic -> !Topic.isInternal(topic.name()))
                            .toList(),
                    AddPartitionsToTxnTopic::name);
        }
        for (TopicPartition tp : partitions) {
            if (version < 4 && (Topic.isInternal(tp.topic()) || !writable.test(tp.topic()))) {
                refused.put(tp, Errors.TOPIC_AUTHORIZATION_FAILED);
            } else if (cache.partition(tp).isEmpty()) {
                refused.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
            }
        }
        if (!refused.isEmpty()) {
            Map<TopicPartition, Errors> all = new HashMap<>();
            partitions.forEach(tp -> all.put(tp, refused.getOrDefault(tp, Errors.OPERATION_NOT_ATTEMPTED)));
            return CompletableFuture.completedFuture(result(t.transactionalId(), all));
        }
        if (t.verifyOnly()) {
            Errors notInTransaction = version >= 5 ? Errors.TRANSACTION_ABORTABLE : Errors.INVALID_TXN_STATE;
            return transactions
                    .verifyPartitions(
                            t.transactionalId(), t.producerId(), t.producerEpoch(), partitions, notInTransaction)
                    .thenApply(errors -> result(t.transactionalId(), errors));
        }
        return transactions
                .addPartitions(t.transactionalId(), t.producerId(), t.producerEpoch(), partitions)
                .thenApply(e -> {
                    Errors error = version < 2 && e == Errors.PRODUCER_FENCED ? Errors.INVALID_PRODUCER_EPOCH : e;
                    Map<TopicPartition, Errors> all = new HashMap<>();
                    partitions.forEach(tp -> all.put(tp, error));
                    return result(t.transactionalId(), all);
                });
    }

    private static AddPartitionsToTxnResult result(String transactionalId, Map<TopicPartition, Errors> errors) {
        AddPartitionsToTxnTopicResultCollection topics = new AddPartitionsToTxnTopicResultCollection();
        errors.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(TopicPartition::topic)
                        .thenComparingInt(TopicPartition::partition)))
                .forEach(e -> {
                    AddPartitionsToTxnTopicResult topic = topics.find(e.getKey().topic());
                    if (topic == null) {
                        topic = new AddPartitionsToTxnTopicResult()
                                .setName(e.getKey().topic());
                        topics.add(topic);
                    }
                    topic.resultsByPartition()
                            .add(new AddPartitionsToTxnPartitionResult()
                                    .setPartitionIndex(e.getKey().partition())
                                    .setPartitionErrorCode(e.getValue().code()));
                });
        return new AddPartitionsToTxnResult()
                .setTransactionalId(transactionalId)
                .setTopicResults(topics);
    }
}
