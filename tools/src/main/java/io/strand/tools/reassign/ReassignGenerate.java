package io.strand.tools.reassign;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.coordinator.ReplicaAssigner;
import io.strand.tools.cli.BrokerOutputFlags;
import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.JsonReader;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code strand reassign generate}: proposes new replica lists for every partition of some topics
 * over a list of brokers, placed as topic creation places them (rack-aware round robin, same
 * partition count and replication factor). Prints the current assignment (for a rollback) and the
 * proposal, both in Kafka's plan format; nothing is changed.
 */
final class ReassignGenerate extends Command<ReassignGenerate.Flags> {
    static final class Flags {
        @ParametersDelegate
        final BrokerOutputFlags common = new BrokerOutputFlags();

        @Parameter(names = "--topics", description = "Comma-separated topics to move")
        String topics;

        @Parameter(
                names = "--topics-to-move-json-file",
                description = "Topics to move, in Kafka's format {\"topics\":[{\"topic\":\"orders\"}],\"version\":1}")
        String topicsFile;

        @Parameter(
                names = "--broker-list",
                required = true,
                description = "Comma-separated broker ids to move the topics onto")
        String brokerList;
    }

    ReassignGenerate() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        Set<String> topics = topics();
        List<Integer> brokers = brokers(flags.brokerList);
        Map<TopicPartition, List<Integer>> current;
        Map<TopicPartition, List<Integer>> proposed = new LinkedHashMap<>();
        try (KafkaAdmin admin = flags.common.openAdmin()) {
            Map<String, TopicDescription> described = CurrentReplicas.describe(admin, topics);
            current = CurrentReplicas.all(described);
            Collection<Node> nodes = admin.await(admin.admin().describeCluster().nodes(), "describing the cluster");
            Map<Integer, String> racks = new LinkedHashMap<>();
            nodes.forEach(n -> racks.put(n.id(), n.rack() == null ? "" : n.rack()));
            List<Integer> unknown =
                    brokers.stream().filter(b -> !racks.containsKey(b)).toList();
            if (!unknown.isEmpty()) {
                throw new CliException("--broker-list names brokers that are not in the cluster: " + unknown
                        + " (live brokers " + new TreeSet<>(racks.keySet()) + ")");
            }
            List<ReplicaAssigner.BrokerRack> targets = brokers.stream()
                    .map(b -> new ReplicaAssigner.BrokerRack(b, racks.get(b)))
                    .toList();
            ReplicaAssigner assigner = new ReplicaAssigner(new SecureRandom());
            for (TopicDescription d : described.values()) {
                int rf = d.partitions().stream()
                        .mapToInt(p -> p.replicas().size())
                        .max()
                        .orElse(1);
                if (rf > brokers.size()) {
                    throw new CliException("topic '" + d.name() + "' has replication factor " + rf
                            + " but --broker-list names only " + brokers.size() + " brokers");
                }
                assigner.assign(targets, d.partitions().size(), rf)
                        .forEach((p, r) -> proposed.put(new TopicPartition(d.name(), p), r));
            }
        }
        flags.common.print(
                io,
                () -> Json.object("current", ReassignmentPlan.raw(current), "proposed", ReassignmentPlan.raw(proposed)),
                () -> {
                    io.println("Current partition replica assignment");
                    io.println(ReassignmentPlan.write(current));
                    io.println("");
                    io.println("Proposed partition reassignment configuration");
                    io.println(ReassignmentPlan.write(proposed));
                });
        return 0;
    }

    private Set<String> topics() {
        if ((flags.topics == null) == (flags.topicsFile == null)) {
            throw new UsageException("give either --topics or --topics-to-move-json-file");
        }
        Set<String> out = new LinkedHashSet<>();
        if (flags.topics != null) {
            for (String t : flags.topics.split(",")) {
                if (!t.isBlank()) {
                    out.add(t.trim());
                }
            }
        } else {
            String text;
            try {
                text = Files.readString(Path.of(flags.topicsFile));
            } catch (IOException | RuntimeException e) {
                throw new UsageException("--topics-to-move-json-file " + flags.topicsFile + ": cannot read the file ("
                        + Failures.describe(e) + ")");
            }
            try {
                Object root = JsonReader.parse(text);
                if (!(root instanceof Map<?, ?> m) || !(m.get("topics") instanceof List<?> list)) {
                    throw new IllegalArgumentException("expected {\"topics\":[{\"topic\":\"NAME\"}],\"version\":1}");
                }
                for (Object o : list) {
                    if (!(o instanceof Map<?, ?> t) || !(t.get("topic") instanceof String name)) {
                        throw new IllegalArgumentException("every entry of \"topics\" needs a \"topic\" name");
                    }
                    out.add(name);
                }
            } catch (IllegalArgumentException e) {
                throw new UsageException("--topics-to-move-json-file " + flags.topicsFile + ": " + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new UsageException("no topics to move");
        }
        return out;
    }

    static List<Integer> brokers(String list) {
        List<Integer> out = new ArrayList<>();
        for (String s : list.split(",")) {
            try {
                int id = Integer.parseInt(s.trim());
                if (id < 0 || out.contains(id)) {
                    throw new NumberFormatException();
                }
                out.add(id);
            } catch (NumberFormatException e) {
                throw new UsageException("--broker-list " + list
                        + ": expected distinct broker ids separated by commas, " + "e.g. 1,2,3");
            }
        }
        return out;
    }
}
