package io.strand.tools.groups;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.Table;
import io.strand.tools.cli.UsageException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code strand groups reset-offsets}: moves a group's committed offsets to the earliest or latest
 * offset, or to a given offset (clamped into the partition's range). Prints the plan and changes
 * nothing unless {@code --execute} is given; the group must have no active members.
 */
final class GroupsResetOffsets extends Command<GroupsResetOffsets.Flags> {
    static final class Flags {
        @ParametersDelegate
        final GroupFlags target = new GroupFlags();

        @Parameter(
                names = {"-t", "--topic"},
                description = "Reset every partition of this topic; may be repeated")
        List<String> topics = new ArrayList<>();

        @Parameter(names = "--all-topics", description = "Reset every partition the group has committed offsets for")
        boolean allTopics;

        @Parameter(names = "--to-earliest", description = "To the first offset of each partition")
        boolean toEarliest;

        @Parameter(names = "--to-latest", description = "To the log end offset of each partition")
        boolean toLatest;

        @Parameter(names = "--to-offset", description = "To this offset (clamped to each partition's range)")
        Long toOffset;

        @Parameter(names = "--execute", description = "Write the new offsets (without it: show the plan only)")
        boolean execute;
    }

    GroupsResetOffsets() {
        super(new Flags());
    }

    record Plan(TopicPartition partition, Long current, long target) {}

    @Override
    public int run(Io io) {
        int targets = (flags.toEarliest ? 1 : 0) + (flags.toLatest ? 1 : 0) + (flags.toOffset != null ? 1 : 0);
        if (targets != 1) {
            throw new UsageException("give exactly one of --to-earliest, --to-latest, --to-offset");
        }
        if (flags.allTopics == !flags.topics.isEmpty()) {
            throw new UsageException("give either --topic or --all-topics");
        }
        if (flags.toOffset != null && flags.toOffset < 0) {
            throw new UsageException("--to-offset must be 0 or more, was " + flags.toOffset);
        }
        List<Plan> plan = new ArrayList<>();
        try (KafkaAdmin admin = flags.target.common.openAdmin()) {
            ConsumerGroupDescription d = GroupReads.describe(admin, flags.target.group);
            if (flags.execute && d.groupState() != GroupState.EMPTY && d.groupState() != GroupState.DEAD) {
                throw new CliException("group " + flags.target.group + " is " + d.groupState() + " with "
                        + d.members().size()
                        + " members; offsets can be reset only while it has none (stop its consumers first)");
            }
            Map<TopicPartition, OffsetAndMetadata> committed = GroupReads.committed(admin, flags.target.group);
            TreeMap<String, List<TopicPartition>> partitions = new TreeMap<>();
            if (flags.allTopics) {
                committed
                        .keySet()
                        .forEach(tp -> partitions
                                .computeIfAbsent(tp.topic(), t -> new ArrayList<>())
                                .add(tp));
            } else {
                Map<String, TopicDescription> described = admin.awaitOrFail(
                        admin.admin().describeTopics(flags.topics).allTopicNames(), "describing " + flags.topics);
                described.forEach((name, td) -> td.partitions()
                        .forEach(p -> partitions
                                .computeIfAbsent(name, t -> new ArrayList<>())
                                .add(new TopicPartition(name, p.partition()))));
            }
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions
                    .values()
                    .forEach(l -> l.forEach(tp -> {
                        earliest.put(tp, OffsetSpec.earliest());
                        latest.put(tp, OffsetSpec.latest());
                    }));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> first = earliest.isEmpty()
                    ? Map.of()
                    : admin.awaitOrFail(admin.admin().listOffsets(earliest).all(), "fetching earliest offsets");
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = latest.isEmpty()
                    ? Map.of()
                    : admin.awaitOrFail(admin.admin().listOffsets(latest).all(), "fetching latest offsets");
            partitions
                    .values()
                    .forEach(l -> l.stream()
                            .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
                            .forEach(tp -> {
                                long lo = first.get(tp).offset();
                                long hi = end.get(tp).offset();
                                long target = flags.toEarliest
                                        ? lo
                                        : flags.toLatest ? hi : Math.max(lo, Math.min(hi, flags.toOffset));
                                OffsetAndMetadata c = committed.get(tp);
                                plan.add(new Plan(tp, c == null ? null : c.offset(), target));
                            }));
            if (flags.execute && !plan.isEmpty()) {
                Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
                plan.forEach(p -> offsets.put(p.partition(), new OffsetAndMetadata(p.target())));
                admin.awaitOrFail(
                        admin.admin()
                                .alterConsumerGroupOffsets(flags.target.group, offsets)
                                .all(),
                        "resetting the offsets of group " + flags.target.group);
            }
        }
        if (flags.target.common.json()) {
            List<Map<String, Object>> partitions = plan.stream()
                    .map(p -> Json.object(
                            "topic", p.partition().topic(),
                            "partition", p.partition().partition(),
                            "currentOffset", p.current(),
                            "newOffset", p.target()))
                    .toList();
            io.println(Json.write(
                    Json.object("group", flags.target.group, "executed", flags.execute, "partitions", partitions)));
            return 0;
        }
        Table t = new Table("TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET");
        plan.forEach(p -> t.row(
                p.partition().topic(), p.partition().partition(), p.current() == null ? "-" : p.current(), p.target()));
        t.print(io, "");
        io.println(
                flags.execute
                        ? "Reset " + plan.size() + " partitions of group " + flags.target.group + "."
                        : "Dry run: nothing changed. Add --execute to reset these offsets.");
        return 0;
    }
}
