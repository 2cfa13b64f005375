package io.strand.server;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.ProducerIdManager;
import io.strand.server.admin.AdminService;
import io.strand.server.fetch.FetchSessions;
import io.strand.server.group.GroupCoordinator;
import io.strand.server.handlers.AddOffsetsToTxnHandler;
import io.strand.server.handlers.AddPartitionsToTxnHandler;
import io.strand.server.handlers.AlterClientQuotasHandler;
import io.strand.server.handlers.AlterConfigsHandler;
import io.strand.server.handlers.AlterPartitionReassignmentsHandler;
import io.strand.server.handlers.AlterShareGroupOffsetsHandler;
import io.strand.server.handlers.ApiVersionsHandler;
import io.strand.server.handlers.ConsumerGroupDescribeHandler;
import io.strand.server.handlers.ConsumerGroupHeartbeatHandler;
import io.strand.server.handlers.CreatePartitionsHandler;
import io.strand.server.handlers.CreateTopicsHandler;
import io.strand.server.handlers.DeleteGroupsHandler;
import io.strand.server.handlers.DeleteRecordsHandler;
import io.strand.server.handlers.DeleteShareGroupOffsetsHandler;
import io.strand.server.handlers.DeleteShareGroupStateHandler;
import io.strand.server.handlers.DeleteTopicsHandler;
import io.strand.server.handlers.DescribeClientQuotasHandler;
import io.strand.server.handlers.DescribeClusterHandler;
import io.strand.server.handlers.DescribeConfigsHandler;
import io.strand.server.handlers.DescribeGroupsHandler;
import io.strand.server.handlers.DescribeLogDirsHandler;
import io.strand.server.handlers.DescribeProducersHandler;
import io.strand.server.handlers.DescribeShareGroupOffsetsHandler;
import io.strand.server.handlers.DescribeTopicPartitionsHandler;
import io.strand.server.handlers.DescribeTransactionsHandler;
import io.strand.server.handlers.ElectLeadersHandler;
import io.strand.server.handlers.EndTxnHandler;
import io.strand.server.handlers.FetchHandler;
import io.strand.server.handlers.FindCoordinatorHandler;
import io.strand.server.handlers.HeartbeatHandler;
import io.strand.server.handlers.IncrementalAlterConfigsHandler;
import io.strand.server.handlers.InitProducerIdHandler;
import io.strand.server.handlers.InitializeShareGroupStateHandler;
import io.strand.server.handlers.JoinGroupHandler;
import io.strand.server.handlers.LeaveGroupHandler;
import io.strand.server.handlers.ListGroupsHandler;
import io.strand.server.handlers.ListOffsetsHandler;
import io.strand.server.handlers.ListPartitionReassignmentsHandler;
import io.strand.server.handlers.ListTransactionsHandler;
import io.strand.server.handlers.MetadataHandler;
import io.strand.server.handlers.OffsetCommitHandler;
import io.strand.server.handlers.OffsetDeleteHandler;
import io.strand.server.handlers.OffsetFetchHandler;
import io.strand.server.handlers.OffsetForLeaderEpochHandler;
import io.strand.server.handlers.ProduceHandler;
import io.strand.server.handlers.ReadShareGroupStateHandler;
import io.strand.server.handlers.ReadShareGroupStateSummaryHandler;
import io.strand.server.handlers.SaslHandlers;
import io.strand.server.handlers.ShareAcknowledgeHandler;
import io.strand.server.handlers.ShareFetchHandler;
import io.strand.server.handlers.ShareGroupDescribeHandler;
import io.strand.server.handlers.ShareGroupHeartbeatHandler;
import io.strand.server.handlers.SyncGroupHandler;
import io.strand.server.handlers.TxnOffsetCommitHandler;
import io.strand.server.handlers.WriteShareGroupStateHandler;
import io.strand.server.handlers.WriteTxnMarkersHandler;
import io.strand.server.metrics.BrokerMetrics;
import io.strand.server.network.ApiHandler;
import io.strand.server.network.ApiHandlers;
import io.strand.server.quota.ClientQuotaAdmin;
import io.strand.server.replica.ReplicaManager;
import io.strand.server.replica.ReplicationThrottle;
import io.strand.server.security.RequestAuthorization;
import io.strand.server.security.ScramCredentialAdmin;
import io.strand.server.security.SecurityHandlers;
import io.strand.server.share.ShareCoordinator;
import io.strand.server.share.ShareGroupOffsets;
import io.strand.server.share.SharePartitionManager;
import io.strand.server.topics.TopicService;
import io.strand.server.txn.TransactionCoordinator;
import io.strand.wal.LogManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * The API handlers a broker serves, one per Kafka API, built from the broker's parts; every handler
 * checks the principal's permissions through {@code auth}, whose authorizer the ACL APIs manage. KIP-848 consumer groups and KIP-932 share
 * groups are served only when {@code group.coordinator.rebalance.protocols} enables them. Immutable;
 * {@link #handlers} is called once, while the broker starts.
 */
public record BrokerApis(
        BrokerConfig config,
        MetadataCache cache,
        TopicService topics,
        ReplicaManager replicas,
        LogManager logs,
        BrokerMetrics metrics,
        ScheduledExecutorService timer,
        ExecutorService blockingPool,
        ReplicationThrottle throttle,
        AdminService admin,
        ProducerIdManager producerIds,
        GroupCoordinator groups,
        TransactionCoordinator transactions,
        ShareCoordinator shareCoordinator,
        SharePartitionManager shares,
        ShareGroupOffsets shareOffsets,
        ScramCredentialAdmin scramUsers,
        RequestAuthorization auth,
        ClientQuotaAdmin quotas) {

    /** Every handler; ApiVersions advertises what {@code self} (the handlers finally served) holds. */
    public List<ApiHandler<?>> handlers(Supplier<ApiHandlers> self) {
        List<ApiHandler<?>> list = new ArrayList<>();
        list.add(new ApiVersionsHandler(self));
        list.addAll(dataApis());
        list.addAll(adminApis());
        list.addAll(transactionApis());
        list.addAll(groupApis());
        list.addAll(shareStateApis());
        list.addAll(SecurityHandlers.aclHandlers(auth));
        list.addAll(SaslHandlers.of(scramUsers, auth));
        list.add(new DescribeClientQuotasHandler(quotas, auth));
        list.add(new AlterClientQuotasHandler(quotas, auth));
        return list;
    }

    /** Topics and their records. */
    private List<ApiHandler<?>> dataApis() {
        return List.of(
                new MetadataHandler(config, cache, topics, auth),
                new ProduceHandler(replicas, cache, metrics, auth),
                new FetchHandler(
                        replicas,
                        cache,
                        timer,
                        throttle,
                        auth,
                        metrics.topics(),
                        new FetchSessions(config.maxIncrementalFetchSessionCacheSlots(), metrics.registry())),
                new ListOffsetsHandler(replicas, cache, auth),
                new OffsetForLeaderEpochHandler(replicas, cache, auth),
                new DescribeProducersHandler(replicas, cache, auth),
                new DeleteRecordsHandler(replicas, cache, auth),
                new DescribeTopicPartitionsHandler(cache, auth));
    }

    /** The admin client's: topics, configs, leaders, reassignments, the cluster and its log directories. */
    private List<ApiHandler<?>> adminApis() {
        return List.of(
                new CreateTopicsHandler(topics, auth),
                new CreatePartitionsHandler(admin, auth),
                new DeleteTopicsHandler(admin, auth),
                new DescribeConfigsHandler(admin, auth),
                new AlterConfigsHandler(admin, auth),
                new IncrementalAlterConfigsHandler(admin, auth),
                new ElectLeadersHandler(admin, auth),
                new DescribeClusterHandler(cache, auth),
                new DescribeLogDirsHandler(logs, auth),
                new AlterPartitionReassignmentsHandler(admin, auth),
                new ListPartitionReassignmentsHandler(cache, auth));
    }

    /** Producer ids and transactions, with the markers the coordinator sends the partition leaders. */
    private List<ApiHandler<?>> transactionApis() {
        return List.of(
                new InitProducerIdHandler(producerIds, transactions, blockingPool, auth),
                new AddPartitionsToTxnHandler(transactions, cache, auth),
                new AddOffsetsToTxnHandler(transactions, auth),
                new EndTxnHandler(transactions, auth),
                new TxnOffsetCommitHandler(groups, cache, auth),
                new WriteTxnMarkersHandler(replicas, groups, auth),
                new DescribeTransactionsHandler(transactions, auth),
                new ListTransactionsHandler(transactions, auth));
    }

    /** Coordinators, classic groups and offsets; KIP-848 and share groups where enabled. */
    private List<ApiHandler<?>> groupApis() {
        List<ApiHandler<?>> list = new ArrayList<>(List.of(
                new FindCoordinatorHandler(groups, transactions, shareCoordinator, cache, auth),
                new JoinGroupHandler(groups, auth),
                new SyncGroupHandler(groups, auth),
                new HeartbeatHandler(groups, auth),
                new LeaveGroupHandler(groups, auth),
                new OffsetCommitHandler(groups, cache, auth),
                new OffsetFetchHandler(groups, cache, auth),
                new OffsetDeleteHandler(groups, cache, auth),
                new DescribeGroupsHandler(groups, auth),
                new ListGroupsHandler(groups, auth),
                new DeleteGroupsHandler(groups, shareOffsets, auth)));
        if (groups.config().consumer().enabled()) {
            list.add(new ConsumerGroupHeartbeatHandler(groups, auth));
            list.add(new ConsumerGroupDescribeHandler(groups, auth));
        }
        if (groups.config().share().enabled()) {
            list.addAll(List.of(
                    new ShareGroupHeartbeatHandler(groups, auth),
                    new ShareGroupDescribeHandler(groups, auth),
                    new ShareFetchHandler(replicas, cache, shares, timer, auth),
                    new ShareAcknowledgeHandler(replicas, cache, shares, auth),
                    new DescribeShareGroupOffsetsHandler(shareOffsets, auth),
                    new AlterShareGroupOffsetsHandler(shareOffsets, auth),
                    new DeleteShareGroupOffsetsHandler(shareOffsets, auth)));
        }
        return list;
    }

    /** The share coordinator's, for the share-partition leaders on the other brokers. */
    private List<ApiHandler<?>> shareStateApis() {
        return List.of(
                new ReadShareGroupStateHandler(shareCoordinator, auth),
                new WriteShareGroupStateHandler(shareCoordinator, auth),
                new InitializeShareGroupStateHandler(shareCoordinator, auth),
                new DeleteShareGroupStateHandler(shareCoordinator, auth),
                new ReadShareGroupStateSummaryHandler(shareCoordinator, auth));
    }
}
