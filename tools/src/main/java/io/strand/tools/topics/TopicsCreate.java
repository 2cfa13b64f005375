package io.strand.tools.topics;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.ConfigOverrides;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.NoSplitter;
import io.strand.tools.cli.Table;
import io.strand.tools.cli.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code strand topics create}: through a broker's CreateTopics, or with --zookeeper through TopicCreator. */
final class TopicsCreate extends Command<TopicsCreate.Flags> {
    static final class Flags {
        @ParametersDelegate
        final TopicsFlags common = new TopicsFlags();

        @Parameter(
                names = {"-t", "--topic"},
                required = true,
                description = "Name of the topic to create")
        String topic;

        @Parameter(
                names = {"-p", "--partitions"},
                description =
                        "Number of partitions (default: 1 with --zookeeper, the broker's num.partitions otherwise)")
        Integer partitions;

        @Parameter(
                names = {"-r", "--replication-factor"},
                description =
                        "Replicas per partition (default: 1 with --zookeeper, the broker's default.replication.factor otherwise)")
        Integer replicationFactor;

        @Parameter(
                names = "--config",
                splitter = NoSplitter.class,
                description = "A topic config override NAME=VALUE; repeat the flag for more")
        List<String> configs = new ArrayList<>();

        @Parameter(
                names = "--replica-assignment",
                description =
                        "Replicas per partition instead of --partitions/--replication-factor: partitions separated by commas, "
                                + "broker ids by colons, first = preferred leader, e.g. 0:1:2,1:2:0")
        String replicaAssignment;
    }

    TopicsCreate() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        TopicBackend.NewTopicRequest request = request();
        try (TopicBackend backend = flags.common.open()) {
            TopicBackend.CreatedTopic created = backend.create(request);
            print(io, created);
        }
        return 0;
    }

    TopicBackend.NewTopicRequest request() {
        Map<Integer, List<Integer>> assignment = Map.of();
        if (flags.replicaAssignment != null) {
            if (flags.partitions != null || flags.replicationFactor != null) {
                throw new UsageException(
                        "--replica-assignment replaces --partitions and --replication-factor; give one or the other");
            }
            assignment = parseAssignment(flags.replicaAssignment);
        }
        if (flags.partitions != null && flags.partitions < 1) {
            throw new UsageException("--partitions must be at least 1, was " + flags.partitions);
        }
        if (flags.replicationFactor != null
                && (flags.replicationFactor < 1 || flags.replicationFactor > Short.MAX_VALUE)) {
            throw new UsageException("--replication-factor must be between 1 and " + Short.MAX_VALUE + ", was "
                    + flags.replicationFactor);
        }
        return new TopicBackend.NewTopicRequest(
                flags.topic,
                flags.partitions,
                flags.replicationFactor,
                assignment,
                ConfigOverrides.parse(flags.configs));
    }

    /** "0:1:2,1:2:0" -> {0=[0,1,2], 1=[1,2,0]}. */
    static Map<Integer, List<Integer>> parseAssignment(String text) {
        Map<Integer, List<Integer>> out = new TreeMap<>();
        String[] partitions = text.trim().split(",", -1);
        for (int p = 0; p < partitions.length; p++) {
            List<Integer> replicas = new ArrayList<>();
            for (String id : partitions[p].trim().split(":", -1)) {
                try {
                    replicas.add(Integer.parseInt(id.trim()));
                } catch (NumberFormatException e) {
                    throw new UsageException("--replica-assignment " + text + ": partition " + p + " has '"
                            + partitions[p].trim() + "', expected broker ids separated by colons like 0:1:2");
                }
            }
            out.put(p, List.copyOf(replicas));
        }
        return out;
    }

    private void print(Io io, TopicBackend.CreatedTopic t) {
        if (flags.common.output.json()) {
            Map<String, Object> json = Json.object(
                    "topic", t.name(),
                    "topicId", t.topicId(),
                    "partitionCount", t.partitionCount(),
                    "replicationFactor", t.replicationFactor());
            if (t.assignment() != null) {
                json.put("assignment", t.assignment());
            }
            io.println(Json.write(json));
            return;
        }
        List<String> facts = new ArrayList<>();
        if (t.topicId() != null) {
            facts.add("topic id " + t.topicId());
        }
        if (t.partitionCount() != null) {
            facts.add(t.partitionCount() + (t.partitionCount() == 1 ? " partition" : " partitions"));
        }
        if (t.replicationFactor() != null) {
            facts.add("replication factor " + t.replicationFactor());
        }
        io.println("Created topic " + t.name() + (facts.isEmpty() ? "." : " (" + String.join(", ", facts) + ")."));
        if (t.assignment() != null) {
            Table table = new Table("PARTITION", "REPLICAS");
            t.assignment().forEach((p, r) -> table.row(p, TopicBackend.formatIds(r)));
            table.print(io, "");
        }
    }
}
