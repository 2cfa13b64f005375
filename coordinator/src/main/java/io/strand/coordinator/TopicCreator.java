package io.strand.coordinator;

import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.TopicAssignment;
import io.strand.coordinator.proto.TopicConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a topic comes into existence. CreateTopics, auto-creation from Metadata and the admin
 * CLI all call {@link #create}: it validates the request, places replicas over the live brokers, and
 * writes the topic znode, its config overrides and every partition's state znode in a single
 * ZooKeeper {@code multi} whose first operation creates {@code /topics/<t>}. Of any number of racing
 * callers exactly one multi succeeds; every other caller gets {@link TopicCreation.AlreadyExists}
 * carrying the winner's assignment. Nothing of a topic is ever written outside that multi.
 *
 * <p>Thread-safe; blocks on ZooKeeper.
 */
public final class TopicCreator {
    private static final Logger log = LoggerFactory.getLogger(TopicCreator.class);

    /** Broker defaults for -1 in a {@link TopicSpec}. */
    public record Defaults(int numPartitions, int replicationFactor) {}

    private final MetadataStore store;
    private final int creatorBrokerId;
    private final ReplicaAssigner assigner;

    /**
     * @param creatorBrokerId the broker calling (recorded in the topic znode), or -1 for a tool
     */
    public TopicCreator(MetadataStore store, int creatorBrokerId, ReplicaAssigner assigner) {
        this.store = store;
        this.creatorBrokerId = creatorBrokerId;
        this.assigner = assigner;
    }

    public TopicCreation create(TopicSpec spec, Defaults defaults, boolean validateOnly) {
        String name = spec.name();
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            return new TopicCreation.Rejected(name, TopicCreation.Reason.INVALID_TOPIC_NAME, e.getMessage());
        }
        Optional<String> configProblem = TopicConfigs.problem(spec.configs());
        if (configProblem.isPresent()) {
            return new TopicCreation.Rejected(name, TopicCreation.Reason.INVALID_CONFIG, configProblem.get());
        }
        Optional<Versioned<TopicAssignment>> existing = store.read(Znodes.topic(name), TopicAssignment.parser());
        if (existing.isPresent()) {
            return new TopicCreation.AlreadyExists(name, existing.get().value());
        }
        if (store.exists(Znodes.ADMIN_DELETE_TOPICS + "/" + name)) {
            return new TopicCreation.Rejected(
                    name,
                    TopicCreation.Reason.TOPIC_BEING_DELETED,
                    "topic " + name + " is being deleted; create it again once the deletion has finished");
        }

        List<ReplicaAssigner.BrokerRack> live = liveBrokers();
        Map<Integer, List<Integer>> replicas;
        if (!spec.manualAssignment().isEmpty()) {
            Optional<String> problem = manualAssignmentProblem(spec.manualAssignment(), live);
            if (problem.isPresent()) {
                return new TopicCreation.Rejected(name, TopicCreation.Reason.INVALID_REPLICA_ASSIGNMENT, problem.get());
            }
            replicas = new TreeMap<>(spec.manualAssignment());
        } else {
            int partitions = spec.numPartitions() == -1 ? defaults.numPartitions() : spec.numPartitions();
            int rf = spec.replicationFactor() == -1 ? defaults.replicationFactor() : spec.replicationFactor();
            if (partitions <= 0) {
                return new TopicCreation.Rejected(
                        name,
                        TopicCreation.Reason.INVALID_PARTITIONS,
                        "number of partitions must be larger than 0, was " + partitions);
            }
            if (rf <= 0) {
                return new TopicCreation.Rejected(
                        name,
                        TopicCreation.Reason.INVALID_REPLICATION_FACTOR,
                        "replication factor must be larger than 0, was " + rf);
            }
            if (rf > live.size()) {
                return new TopicCreation.Rejected(
                        name,
                        TopicCreation.Reason.INVALID_REPLICATION_FACTOR,
                        "replication factor " + rf + " is larger than the number of live brokers " + live.size());
            }
            replicas = assigner.assign(live, partitions, rf);
        }

        TopicAssignment assignment =
                TopicAssignments.build(Uuid.randomUuid(), replicas, System.currentTimeMillis(), creatorBrokerId);
        if (validateOnly) {
            return new TopicCreation.Validated(name, assignment);
        }
        List<CuratorOp> ops = new ArrayList<>();
        ops.add(store.createOp(Znodes.topic(name), assignment));
        ops.add(store.createOp(
                Znodes.topicConfig(name),
                TopicConfig.newBuilder().putAllOverrides(spec.configs()).build()));
        ops.add(store.createOp(Znodes.partitions(name), new byte[0]));
        ops.addAll(NewPartitions.createOps(store, name, replicas));
        try {
            store.multi(ops);
        } catch (TransactionTooLargeException e) {
            return new TopicCreation.Rejected(
                    name,
                    TopicCreation.Reason.TOO_LARGE,
                    "topic " + name + " with " + replicas.size() + " partitions does not fit in one ZooKeeper"
                            + " transaction (" + e.getMessage() + "): create it with at most about "
                            + e.fitting(replicas.size())
                            + " partitions, then add the others with CreatePartitions in steps of that size");
        } catch (VersionConflictException lostRace) {
            Optional<Versioned<TopicAssignment>> winner = store.read(Znodes.topic(name), TopicAssignment.parser());
            if (winner.isPresent()) {
                return new TopicCreation.AlreadyExists(name, winner.get().value());
            }
            // The multi failed on a znode other than /topics/<t> (a leftover /config/topics/<t>): report, write
            // nothing.
            throw new MetadataStoreException(
                    "could not create topic " + name + ": " + lostRace.getMessage()
                            + " exists without the topic; remove it or delete the topic again",
                    lostRace);
        }
        log.info(
                "Created topic {} with topic id {} and {} partitions: {}",
                name,
                assignment.getTopicId(),
                replicas.size(),
                replicas);
        return new TopicCreation.Created(name, assignment);
    }

    /** Live brokers with their racks, from {@code /brokers/ids}. */
    public List<ReplicaAssigner.BrokerRack> liveBrokers() {
        List<ReplicaAssigner.BrokerRack> out = new ArrayList<>();
        for (String id : store.children(Znodes.BROKER_IDS)) {
            store.read(Znodes.BROKER_IDS + "/" + id, BrokerRegistration.parser())
                    .ifPresent(v -> out.add(new ReplicaAssigner.BrokerRack(
                            v.value().getBrokerId(), v.value().getRack())));
        }
        return out;
    }

    private static Optional<String> manualAssignmentProblem(
            Map<Integer, List<Integer>> assignment, List<ReplicaAssigner.BrokerRack> live) {
        Set<Integer> liveIds = new HashSet<>();
        live.forEach(b -> liveIds.add(b.brokerId()));
        int rf = -1;
        for (int p = 0; p < assignment.size(); p++) {
            List<Integer> r = assignment.get(p);
            if (r == null) {
                return Optional.of(
                        "partitions must be numbered 0.." + (assignment.size() - 1) + "; " + p + " is missing");
            }
            if (r.isEmpty()) {
                return Optional.of("partition " + p + " has no replicas");
            }
            if (new HashSet<>(r).size() != r.size()) {
                return Optional.of("partition " + p + " lists a replica twice: " + r);
            }
            if (rf >= 0 && r.size() != rf) {
                return Optional.of("all partitions must have the same number of replicas; partition " + p + " has "
                        + r.size() + ", others " + rf);
            }
            rf = r.size();
            for (int b : r) {
                if (!liveIds.contains(b)) {
                    return Optional.of("partition " + p + " names broker " + b + ", which is not registered");
                }
            }
        }
        return Optional.empty();
    }
}
