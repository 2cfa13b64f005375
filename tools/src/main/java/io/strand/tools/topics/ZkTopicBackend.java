package io.strand.tools.topics;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.ReplicaAssigner;
import io.strand.coordinator.TopicAssignments;
import io.strand.coordinator.TopicCreation;
import io.strand.coordinator.TopicCreator;
import io.strand.coordinator.TopicSpec;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.CompactedLogStatus;
import io.strand.coordinator.proto.LogCleanerStatus;
import io.strand.coordinator.proto.PartitionState;
import io.strand.coordinator.proto.TopicAssignment;
import io.strand.coordinator.proto.TopicConfig;
import io.strand.coordinator.security.ZooKeeperClientOptions;
import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.ZooKeeperClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;

/**
 * Topics read from and created in ZooKeeper directly. Creation goes through {@link TopicCreator},
 * the same code path brokers use, with defaults of 1 partition and replication factor 1.
 * Not thread-safe; one per command run.
 */
final class ZkTopicBackend implements TopicBackend {
    static final TopicCreator.Defaults DEFAULTS = new TopicCreator.Defaults(1, 1);

    private final String connect;
    private final CuratorFramework zk;
    private final MetadataStore store;

    private ZkTopicBackend(String connect, CuratorFramework zk) {
        this.connect = connect;
        this.zk = zk;
        this.store = new MetadataStore(zk);
    }

    static ZkTopicBackend open(String connect, int timeoutMs, ZooKeeperClientOptions options) {
        return new ZkTopicBackend(connect, ZooKeeperClient.connect(connect, timeoutMs, true, options));
    }

    @Override
    public CreatedTopic create(NewTopicRequest request) {
        String name = request.name();
        TopicSpec spec = new TopicSpec(
                name,
                request.partitions() == null ? -1 : request.partitions(),
                request.replicationFactor() == null ? -1 : request.replicationFactor(),
                request.assignment(),
                request.configs());
        TopicCreator creator = new TopicCreator(store, -1, new ReplicaAssigner(new Random()));
        TopicCreation result = creator.create(spec, DEFAULTS, false);
        if (result instanceof TopicCreation.Created created) {
            TopicAssignment a = created.assignment();
            Map<Integer, List<Integer>> replicas = TopicAssignments.replicas(a);
            int rf = replicas.values().stream().mapToInt(List::size).max().orElse(0);
            return new CreatedTopic(name, a.getTopicId(), replicas.size(), rf, replicas);
        }
        if (result instanceof TopicCreation.AlreadyExists exists) {
            throw new CliException(TopicBackend.alreadyExists(
                    name, exists.winner().getTopicId(), TopicAssignments.replicas(exists.winner())));
        }
        if (result instanceof TopicCreation.Rejected rejected) {
            String hint = "";
            if ((rejected.reason() == TopicCreation.Reason.INVALID_REPLICATION_FACTOR
                            || rejected.reason() == TopicCreation.Reason.INVALID_REPLICA_ASSIGNMENT)
                    && creator.liveBrokers().isEmpty()) {
                hint = " (no broker is registered under " + connect + "; is a broker running and the chroot right?)";
            }
            throw new CliException("cannot create topic '" + name + "': " + rejected.reason() + ": "
                    + Failures.oneLine(rejected.message()) + hint);
        }
        throw new IllegalStateException("unexpected outcome of creating topic " + name + ": " + result);
    }

    @Override
    public DeletedTopic delete(String topic) {
        try {
            org.apache.kafka.common.Uuid id =
                    new io.strand.coordinator.admin.TopicDeleter(store).markForDeletion(topic);
            return new DeletedTopic(topic, id.toString(), false);
        } catch (org.apache.kafka.common.errors.UnknownTopicOrPartitionException e) {
            throw new CliException(Failures.unknownTopic(topic, "no " + Znodes.topic(topic) + " under " + connect), e);
        }
    }

    @Override
    public AlteredTopic alter(String topic, Integer partitions, Map<String, String> set, List<String> delete) {
        Optional<Versioned<TopicAssignment>> assignment = store.read(Znodes.topic(topic), TopicAssignment.parser());
        if (assignment.isEmpty()) {
            throw new CliException(Failures.unknownTopic(topic, "no " + Znodes.topic(topic) + " under " + connect));
        }
        int before = assignment.get().value().getPartitionsCount();
        int after = before;
        try {
            if (partitions != null) {
                after = new io.strand.coordinator.admin.PartitionAdder(store, new ReplicaAssigner(new Random()))
                        .add(topic, partitions, null, false)
                        .partitionCount();
            }
            List<io.strand.coordinator.admin.ConfigChange> changes = new ArrayList<>();
            set.forEach((k, v) -> changes.add(io.strand.coordinator.admin.ConfigChange.set(k, v)));
            delete.forEach(k -> changes.add(io.strand.coordinator.admin.ConfigChange.delete(k)));
            io.strand.coordinator.admin.TopicConfigWriter configs =
                    new io.strand.coordinator.admin.TopicConfigWriter(store);
            Map<String, String> overrides =
                    changes.isEmpty() ? configs.overrides(topic) : configs.alter(topic, changes, false);
            return new AlteredTopic(topic, before, after, overrides);
        } catch (org.apache.kafka.common.errors.ApiException e) {
            throw new CliException("cannot alter topic '" + topic + "': " + Failures.describe(e), e);
        }
    }

    @Override
    public List<String> list() {
        List<String> names = new ArrayList<>(store.children(Znodes.TOPICS));
        names.sort(null);
        return names;
    }

    @Override
    public List<TopicDescription> describe(String topic, Consumer<String> warn) {
        List<String> names = topic == null ? list() : List.of(topic);
        List<TopicDescription> out = new ArrayList<>();
        CleanerReports reports = new CleanerReports(warn);
        for (String name : names) {
            Optional<Versioned<TopicAssignment>> assignment = store.read(Znodes.topic(name), TopicAssignment.parser());
            if (assignment.isEmpty()) {
                if (topic != null) {
                    throw new CliException(
                            Failures.unknownTopic(name, "no " + Znodes.topic(name) + " under " + connect));
                }
                continue; // deleted between listing and reading
            }
            Map<String, String> configs = new TreeMap<>(store.read(Znodes.topicConfig(name), TopicConfig.parser())
                    .map(v -> v.value().getOverridesMap())
                    .orElse(Map.of()));
            List<PartitionDescription> partitions = new ArrayList<>();
            String policyOverride = configs.get(org.apache.kafka.common.config.TopicConfig.CLEANUP_POLICY_CONFIG);
            TopicAssignments.replicas(assignment.get().value()).forEach((p, replicas) -> {
                Optional<Versioned<PartitionState>> state =
                        store.read(Znodes.partitionState(name, p), PartitionState.parser());
                if (state.isEmpty()) {
                    warn.accept("warning: topic '" + name + "' partition " + p + " has no state znode "
                            + Znodes.partitionState(name, p));
                    partitions.add(new PartitionDescription(
                            p,
                            null,
                            null,
                            replicas,
                            List.of(),
                            reports.compaction(name, p, null, replicas, policyOverride)));
                } else {
                    PartitionState s = state.get().value();
                    Integer leader = s.getLeader() < 0 ? null : s.getLeader();
                    partitions.add(new PartitionDescription(
                            p,
                            leader,
                            s.getLeaderEpoch(),
                            replicas,
                            List.copyOf(s.getIsrList()),
                            reports.compaction(name, p, leader, replicas, policyOverride)));
                }
            });
            boolean deleting = store.exists(Znodes.ADMIN_DELETE_TOPICS + "/" + name);
            out.add(new TopicDescription(name, assignment.get().value().getTopicId(), deleting, partitions, configs));
        }
        return out;
    }

    @Override
    public void close() {
        zk.close();
    }

    /**
     * The brokers' log cleaner reports ({@code /log_cleaner/<id>}), each read once per describe. A partition's
     * policy is what its leader's cleaner applies, else the topic's override, else the leader's
     * {@code log.cleanup.policy}; its dirty ratio is the leader's; every replica's cleaner can call it uncleanable.
     */
    private final class CleanerReports {
        private final Consumer<String> warn;
        private final Map<Integer, Optional<LogCleanerStatus>> byBroker = new java.util.HashMap<>();

        CleanerReports(Consumer<String> warn) {
            this.warn = warn;
        }

        Compaction compaction(
                String topic, int partition, Integer leader, List<Integer> replicas, String policyOverride) {
            Optional<LogCleanerStatus> leaderReport = leader == null ? Optional.empty() : report(leader);
            Optional<CompactedLogStatus> led = leaderReport.flatMap(r -> entry(r, topic, partition));
            String policy = led.map(CompactedLogStatus::getCleanupPolicy)
                    .or(() -> Optional.ofNullable(policyOverride))
                    .or(() -> leaderReport
                            .map(LogCleanerStatus::getDefaultCleanupPolicy)
                            .filter(d -> !d.isEmpty()))
                    .orElse(null);
            if (policy == null) {
                return null;
            }
            List<Uncleanable> uncleanable = new ArrayList<>();
            for (int replica : replicas) {
                report(replica)
                        .flatMap(r -> entry(r, topic, partition))
                        .filter(e -> !e.getUncleanableReason().isEmpty())
                        .ifPresent(e -> uncleanable.add(new Uncleanable(replica, e.getUncleanableReason())));
            }
            return new Compaction(
                    policy,
                    led.map(CompactedLogStatus::getDirtyRatio).orElse(null),
                    led.map(CompactedLogStatus::getFirstDirtyOffset).orElse(null),
                    led.map(CompactedLogStatus::getLastCleanedMs).orElse(null),
                    uncleanable);
        }

        private Optional<LogCleanerStatus> report(int broker) {
            return byBroker.computeIfAbsent(broker, id -> {
                String path = Znodes.logCleaner(id);
                try {
                    return store.read(path, LogCleanerStatus.parser()).map(Versioned::value);
                } catch (io.strand.coordinator.MetadataStoreException e) {
                    warn.accept("warning: could not read the log cleaner status of broker " + id + " at " + path + ": "
                            + Failures.oneLine(e.getMessage()));
                    return Optional.empty();
                }
            });
        }

        private static Optional<CompactedLogStatus> entry(LogCleanerStatus report, String topic, int partition) {
            return report.getLogsList().stream()
                    .filter(l -> l.getTopic().equals(topic) && l.getPartition() == partition)
                    .findFirst();
        }
    }
}
