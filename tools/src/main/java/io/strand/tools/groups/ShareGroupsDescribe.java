package io.strand.tools.groups;

import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code strand groups describe} of a share group (KIP-932): its state, epoch, coordinator and members,
 * then per partition the share group's start offset, its lag and the members reading it (several
 * members may read one partition). Stateless.
 */
final class ShareGroupsDescribe {
    private ShareGroupsDescribe() {}

    /** True if {@code group} is a share group. */
    static boolean isShareGroup(KafkaAdmin admin, String group) {
        return admin.awaitOrFail(admin.admin().listGroups().all(), "listing groups").stream()
                .anyMatch(g -> g.groupId().equals(group)
                        && g.type()
                                .map(t -> t == org.apache.kafka.common.GroupType.SHARE)
                                .orElse(false));
    }

    static int print(KafkaAdmin admin, String group, boolean json, Io io) {
        ShareGroupDescription d = admin.awaitOrFail(
                        admin.admin().describeShareGroups(List.of(group)).all(), "describing share group " + group)
                .get(group);
        Map<TopicPartition, SharePartitionOffsetInfo> offsets = admin.awaitOrFail(
                admin.admin()
                        .listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
                        .partitionsToOffsetInfo(group),
                "fetching the start offsets of share group " + group);
        Map<String, List<String>> readers = new TreeMap<>();
        d.members()
                .forEach(m -> m.assignment()
                        .topicPartitions()
                        .forEach(
                                tp -> readers.computeIfAbsent(tp.topic() + "-" + tp.partition(), k -> new ArrayList<>())
                                        .add(m.consumerId())));
        TreeMap<String, TopicPartition> partitions = new TreeMap<>();
        offsets.keySet().forEach(tp -> partitions.put(tp.topic() + "-" + tp.partition(), tp));
        d.members()
                .forEach(m -> m.assignment()
                        .topicPartitions()
                        .forEach(tp -> partitions.put(tp.topic() + "-" + tp.partition(), tp)));
        if (json) {
            List<Object> rows = new ArrayList<>();
            partitions.forEach((k, tp) -> {
                SharePartitionOffsetInfo o = offsets.get(tp);
                rows.add(Json.object(
                        "topic", tp.topic(),
                        "partition", tp.partition(),
                        "startOffset", o == null || o.startOffset() < 0 ? null : o.startOffset(),
                        "lag", o == null ? null : o.lag().orElse(null),
                        "members", readers.getOrDefault(k, List.of())));
            });
            io.println(Json.write(Json.object(
                    "group", d.groupId(),
                    "type", "share",
                    "state", d.groupState().toString(),
                    "groupEpoch", d.groupEpoch(),
                    "coordinator",
                            d.coordinator() == null ? null : d.coordinator().id(),
                    "members", d.members().size(),
                    "partitions", rows)));
            return 0;
        }
        io.println("Group " + d.groupId() + " (share protocol): state " + d.groupState() + ", epoch "
                + d.groupEpoch() + ", coordinator broker "
                + (d.coordinator() == null ? "?" : d.coordinator().id())
                + ", assignor simple, " + d.members().size() + " member"
                + (d.members().size() == 1 ? "" : "s"));
        if (partitions.isEmpty()) {
            return 0;
        }
        Table t = new Table("TOPIC", "PARTITION", "START-OFFSET", "LAG", "MEMBERS");
        partitions.forEach((k, tp) -> {
            SharePartitionOffsetInfo o = offsets.get(tp);
            t.row(
                    tp.topic(),
                    tp.partition(),
                    o == null || o.startOffset() < 0 ? "-" : Long.toString(o.startOffset()),
                    o == null ? "-" : o.lag().map(String::valueOf).orElse("-"),
                    readers.containsKey(k) ? String.join(",", readers.get(k)) : "-");
        });
        t.print(io, "");
        return 0;
    }
}
