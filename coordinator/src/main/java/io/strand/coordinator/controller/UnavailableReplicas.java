package io.strand.coordinator.controller;

import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.LogDirStatus;
import io.strand.coordinator.proto.PartitionRef;
import io.strand.coordinator.proto.UnavailableLogDir;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * The replicas that live brokers report they cannot serve, from the {@code unavailable_log_dirs} of their
 * registrations: those in an offline log directory ({@link #failed}) and those in a directory below its free-space
 * floor ({@link #full}). Immutable.
 */
record UnavailableReplicas(Map<TopicPartition, Set<Integer>> failedBy, Map<TopicPartition, Set<Integer>> fullBy) {
    static final UnavailableReplicas NONE = new UnavailableReplicas(Map.of(), Map.of());

    static UnavailableReplicas of(Collection<BrokerRegistration> brokers) {
        Map<TopicPartition, Set<Integer>> failed = new HashMap<>();
        Map<TopicPartition, Set<Integer>> full = new HashMap<>();
        for (BrokerRegistration b : brokers) {
            for (UnavailableLogDir d : b.getUnavailableLogDirsList()) {
                Map<TopicPartition, Set<Integer>> into = d.getStatus() == LogDirStatus.OFFLINE ? failed : full;
                for (PartitionRef p : d.getPartitionsList()) {
                    into.computeIfAbsent(new TopicPartition(p.getTopic(), p.getPartition()), k -> new HashSet<>())
                            .add(b.getBrokerId());
                }
            }
        }
        return failed.isEmpty() && full.isEmpty() ? NONE : new UnavailableReplicas(failed, full);
    }

    /** Brokers whose replica of {@code tp} is in an offline log directory. */
    Set<Integer> failed(TopicPartition tp) {
        return failedBy.getOrDefault(tp, Set.of());
    }

    /** Brokers whose replica of {@code tp} is in a log directory below its free-space floor. */
    Set<Integer> full(TopicPartition tp) {
        return fullBy.getOrDefault(tp, Set.of());
    }

    /** The live brokers that can lead {@code tp} now. */
    Set<Integer> canLead(TopicPartition tp, Set<Integer> live) {
        Set<Integer> out = new HashSet<>(live);
        out.removeAll(failed(tp));
        out.removeAll(full(tp));
        return out;
    }

    boolean isEmpty() {
        return failedBy.isEmpty() && fullBy.isEmpty();
    }

    /** For the controller's log: "broker 1: 3 offline, 2 below the free-space floor". */
    static String describe(Collection<BrokerRegistration> brokers) {
        StringBuilder sb = new StringBuilder();
        for (BrokerRegistration b : brokers) {
            for (UnavailableLogDir d : b.getUnavailableLogDirsList()) {
                if (sb.length() > 0) sb.append("; ");
                sb.append("broker ")
                        .append(b.getBrokerId())
                        .append(' ')
                        .append(d.getPath())
                        .append(' ')
                        .append(d.getStatus())
                        .append(" (")
                        .append(d.getReason())
                        .append(", ")
                        .append(d.getPartitionsCount())
                        .append(" partitions)");
            }
        }
        return sb.toString();
    }

    static List<Integer> without(List<Integer> brokers, Set<Integer> drop) {
        return brokers.stream().filter(b -> !drop.contains(b)).toList();
    }
}
