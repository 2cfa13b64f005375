package io.strand.coordinator.admin;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.NewPartitions;
import io.strand.coordinator.ReplicaAssigner;
import io.strand.coordinator.TopicAssignments;
import io.strand.coordinator.TransactionTooLargeException;
import io.strand.coordinator.VersionConflictException;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.ReplicaList;
import io.strand.coordinator.proto.TopicAssignment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.ReassignmentInProgressException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds partitions to a topic: one {@code multi} that sets {@code /topics/<t>} with the version read
 * and creates the new partitions' state znodes (leader = first replica, ISR = all replicas, leader
 * epoch 0). New replicas are placed like topic creation places them ({@link ReplicaAssigner}, same
 * replication factor) unless the caller gives them. On a lost race (the topic changed meanwhile)
 * it re-reads and decides again.
 *
 * <p>Thread-safe; blocks on ZooKeeper.
 */
public final class PartitionAdder {
    private static final Logger log = LoggerFactory.getLogger(PartitionAdder.class);

    /** The outcome: the replicas of each new partition, in partition order. */
    public record Added(String topic, int partitionCount, Map<Integer, List<Integer>> newPartitions) {}

    private final MetadataStore store;
    private final ReplicaAssigner assigner;

    public PartitionAdder(MetadataStore store, ReplicaAssigner assigner) {
        this.store = store;
        this.assigner = assigner;
    }

    /**
     * Grows {@code topic} to {@code totalCount} partitions.
     *
     * @param assignment replicas of each new partition in order, or null to place them automatically
     * @throws UnknownTopicOrPartitionException if the topic does not exist or is being deleted
     * @throws InvalidPartitionsException if {@code totalCount} is not larger than the current count
     * @throws InvalidReplicaAssignmentException if {@code assignment} is inconsistent or names unknown brokers
     * @throws ReassignmentInProgressException if partitions of the topic are being reassigned
     */
    public Added add(String topic, int totalCount, List<List<Integer>> assignment, boolean validateOnly) {
        while (true) {
            Optional<Versioned<TopicAssignment>> read = store.read(Znodes.topic(topic), TopicAssignment.parser());
            if (read.isEmpty() || store.exists(Znodes.deleteTopicMarker(topic))) {
                throw new UnknownTopicOrPartitionException(
                        "Topic " + topic + (read.isEmpty() ? " does not exist" : " is being deleted"));
            }
            TopicAssignment current = read.get().value();
            TreeMap<Integer, List<Integer>> replicas = TopicAssignments.replicas(current);
            int existing = replicas.size();
            if (totalCount < existing) {
                throw new InvalidPartitionsException("Topic currently has " + existing
                        + " partitions, which is higher than the requested " + totalCount + ".");
            }
            if (totalCount == existing) {
                throw new InvalidPartitionsException("Topic already has " + existing + " partitions.");
            }
            if (store.exists(Znodes.reassignment(topic))) {
                throw new ReassignmentInProgressException("A partition reassignment of topic " + topic
                        + " is in progress; add partitions once it has finished");
            }
            Map<Integer, List<Integer>> added = place(topic, replicas, totalCount, assignment);
            if (validateOnly) {
                return new Added(topic, totalCount, added);
            }
            TopicAssignment.Builder next = current.toBuilder();
            added.forEach((p, r) -> next.putPartitions(
                    p, ReplicaList.newBuilder().addAllReplicas(r).build()));
            List<CuratorOp> ops = new ArrayList<>();
            ops.add(store.setOp(Znodes.topic(topic), next.build(), read.get().version()));
            ops.addAll(NewPartitions.createOps(store, topic, added));
            try {
                store.multi(ops);
            } catch (TransactionTooLargeException e) {
                throw new PolicyViolationException("Adding " + added.size() + " partitions to topic " + topic
                        + " does not fit in one ZooKeeper transaction (" + e.getMessage() + "): add at most about "
                        + e.fitting(added.size()) + " at a time");
            } catch (VersionConflictException lostRace) {
                if (!lostRace.path().equals(Znodes.topic(topic))) {
                    throw new InvalidPartitionsException(
                            "Cannot add partitions to topic " + topic + ": " + lostRace.path() + " already exists");
                }
                continue; // the topic changed meanwhile: decide again
            }
            log.info("Topic {}: {} -> {} partitions, new replicas {}", topic, existing, totalCount, added);
            return new Added(topic, totalCount, added);
        }
    }

    private Map<Integer, List<Integer>> place(
            String topic, Map<Integer, List<Integer>> replicas, int totalCount, List<List<Integer>> assignment) {
        int existing = replicas.size();
        int rf = replicas.values().stream().mapToInt(List::size).max().orElse(1);
        List<ReplicaAssigner.BrokerRack> live = liveBrokers();
        Map<Integer, List<Integer>> out = new LinkedHashMap<>();
        if (assignment == null || assignment.isEmpty()) {
            if (rf > live.size()) {
                throw new InvalidReplicaAssignmentException("Topic " + topic + " has replication factor " + rf
                        + ", more than the " + live.size() + " live brokers");
            }
            // place all partitions as creation would and keep the new ones, so leaders continue the round robin
            Map<Integer, List<Integer>> all = assigner.assign(live, totalCount, rf);
            for (int p = existing; p < totalCount; p++) {
                out.put(p, all.get(p));
            }
            return out;
        }
        if (assignment.size() != totalCount - existing) {
            throw new InvalidReplicaAssignmentException("Increasing the number of partitions by "
                    + (totalCount - existing) + " but " + assignment.size() + " assignments provided.");
        }
        Set<Integer> liveIds = new HashSet<>();
        live.forEach(b -> liveIds.add(b.brokerId()));
        for (int i = 0; i < assignment.size(); i++) {
            int p = existing + i;
            List<Integer> r = assignment.get(i);
            if (r == null || r.isEmpty()) {
                throw new InvalidReplicaAssignmentException(
                        "Partition " + p + " of topic " + topic + " has no replicas");
            }
            if (new HashSet<>(r).size() != r.size()) {
                throw new InvalidReplicaAssignmentException(
                        "Duplicate brokers not allowed in replica assignment: " + r + " for partition " + p);
            }
            if (r.size() != rf) {
                throw new InvalidReplicaAssignmentException("Inconsistent replication factor between partitions, "
                        + "partition 0 has " + rf + " while partition " + p + " has " + r.size());
            }
            for (int b : r) {
                if (!liveIds.contains(b)) {
                    throw new InvalidReplicaAssignmentException(
                            "Unknown broker(s) in replica assignment: " + b + " (partition " + p + " of topic " + topic
                                    + "; live brokers " + new java.util.TreeSet<>(liveIds) + ")");
                }
            }
            out.put(p, List.copyOf(r));
        }
        return out;
    }

    private List<ReplicaAssigner.BrokerRack> liveBrokers() {
        List<ReplicaAssigner.BrokerRack> out = new ArrayList<>();
        for (String id : store.children(Znodes.BROKER_IDS)) {
            store.read(Znodes.broker(Integer.parseInt(id)), BrokerRegistration.parser())
                    .ifPresent(v -> out.add(new ReplicaAssigner.BrokerRack(
                            v.value().getBrokerId(), v.value().getRack())));
        }
        return out;
    }
}
