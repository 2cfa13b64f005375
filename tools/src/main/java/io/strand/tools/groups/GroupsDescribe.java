package io.strand.tools.groups;

import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.Table;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code strand groups describe}: a group's state, coordinator and assignor, then per partition
 * (committed or assigned) the committed offset, the log end offset, the lag and the owning member; a
 * share group's by {@link ShareGroupsDescribe}.
 */
final class GroupsDescribe extends Command<GroupsDescribe.Flags> {
    static final class Flags {
        @ParametersDelegate
        final GroupFlags target = new GroupFlags();
    }

    GroupsDescribe() {
        super(new Flags());
    }

    /** One row: a partition with its offsets and owner (null fields = unknown / none). */
    record Row(TopicPartition partition, Long committed, Long logEnd, MemberDescription owner) {
        Long lag() {
            return committed == null || logEnd == null ? null : Math.max(0, logEnd - committed);
        }
    }

    @Override
    public int run(Io io) {
        ConsumerGroupDescription d;
        Map<TopicPartition, OffsetAndMetadata> committed;
        Map<TopicPartition, Long> ends = new HashMap<>();
        try (KafkaAdmin admin = flags.target.common.openAdmin()) {
            if (ShareGroupsDescribe.isShareGroup(admin, flags.target.group)) {
                return ShareGroupsDescribe.print(admin, flags.target.group, flags.target.common.json(), io);
            }
            d = GroupReads.describe(admin, flags.target.group);
            committed = GroupReads.committed(admin, flags.target.group);
            TreeSet<TopicPartition> all = partitions(d, committed);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            all.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            if (!latest.isEmpty()) {
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> infos =
                        admin.awaitOrFail(admin.admin().listOffsets(latest).all(), "fetching log end offsets");
                infos.forEach((tp, info) -> ends.put(tp, info.offset()));
            }
        }
        List<Row> rows = new ArrayList<>();
        Map<TopicPartition, MemberDescription> owners = new HashMap<>();
        d.members().forEach(m -> m.assignment().topicPartitions().forEach(tp -> owners.put(tp, m)));
        for (TopicPartition tp : partitions(d, committed)) {
            OffsetAndMetadata c = committed.get(tp);
            rows.add(new Row(tp, c == null ? null : c.offset(), ends.get(tp), owners.get(tp)));
        }
        if (flags.target.common.json()) {
            io.println(Json.write(Json.object(
                    "group", d.groupId(),
                    "type", d.type().toString().toLowerCase(java.util.Locale.ROOT),
                    "state", d.groupState().toString(),
                    "groupEpoch", d.groupEpoch().orElse(null),
                    "coordinator",
                            d.coordinator() == null ? null : d.coordinator().id(),
                    "assignor", d.partitionAssignor(),
                    "members", d.members().size(),
                    "partitions", rows.stream().map(GroupsDescribe::json).toList())));
            return 0;
        }
        io.println("Group " + d.groupId() + " (" + d.type().toString().toLowerCase(java.util.Locale.ROOT)
                + " protocol): state " + d.groupState()
                + d.groupEpoch().map(e -> ", epoch " + e).orElse("") + ", coordinator broker "
                + (d.coordinator() == null ? "?" : d.coordinator().id())
                + (d.partitionAssignor().isEmpty() ? "" : ", assignor " + d.partitionAssignor())
                + ", " + d.members().size() + " member" + (d.members().size() == 1 ? "" : "s"));
        if (rows.isEmpty()) {
            return 0;
        }
        Table t = new Table(
                "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID");
        for (Row r : rows) {
            t.row(
                    r.partition().topic(),
                    r.partition().partition(),
                    dash(r.committed()),
                    dash(r.logEnd()),
                    dash(r.lag()),
                    r.owner() == null ? "-" : r.owner().consumerId(),
                    r.owner() == null ? "-" : r.owner().host(),
                    r.owner() == null ? "-" : r.owner().clientId());
        }
        t.print(io, "");
        return 0;
    }

    private static Map<String, Object> json(Row r) {
        MemberDescription owner = r.owner();
        return Json.object(
                "topic", r.partition().topic(),
                "partition", r.partition().partition(),
                "committedOffset", r.committed(),
                "logEndOffset", r.logEnd(),
                "lag", r.lag(),
                "memberId", owner == null ? null : owner.consumerId(),
                "host", owner == null ? null : owner.host(),
                "clientId", owner == null ? null : owner.clientId());
    }

    private static TreeSet<TopicPartition> partitions(
            ConsumerGroupDescription d, Map<TopicPartition, OffsetAndMetadata> committed) {
        TreeSet<TopicPartition> all = new TreeSet<>((a, b) -> a.topic().equals(b.topic())
                ? Integer.compare(a.partition(), b.partition())
                : a.topic().compareTo(b.topic()));
        all.addAll(committed.keySet());
        d.members().forEach(m -> all.addAll(m.assignment().topicPartitions()));
        return all;
    }

    private static String dash(Long v) {
        return v == null ? "-" : Long.toString(v);
    }
}
