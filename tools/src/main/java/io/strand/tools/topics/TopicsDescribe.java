package io.strand.tools.topics;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.Table;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * {@code strand topics describe}: per topic its id, partition count, replication factor and config
 * overrides, then per partition leader, leader epoch (when known), replicas and ISR; for a compacted topic
 * also its cleanup policy and, with --zookeeper, the leader's dirty ratio and last cleaning and any replica
 * its broker's log cleaner reports uncleanable ({@code /log_cleaner/<id>}).
 */
final class TopicsDescribe extends Command<TopicsDescribe.Flags> {
    static final class Flags {
        @ParametersDelegate
        final TopicsFlags common = new TopicsFlags();

        @Parameter(
                names = {"-t", "--topic"},
                description = "The topic to describe (default: every topic)")
        String topic;
    }

    TopicsDescribe() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        List<TopicBackend.TopicDescription> topics;
        try (TopicBackend backend = flags.common.open()) {
            topics = backend.describe(flags.topic, io::warn);
        }
        flags.common.print(io, () -> topics.stream().map(TopicsDescribe::json).toList(), () -> {
            for (int i = 0; i < topics.size(); i++) {
                if (i > 0) {
                    io.println("");
                }
                table(io, topics.get(i));
            }
        });
        return 0;
    }

    private static void table(Io io, TopicBackend.TopicDescription t) {
        StringBuilder header = new StringBuilder("Topic: ")
                .append(t.name())
                .append("  TopicId: ")
                .append(t.topicId() == null ? "-" : t.topicId())
                .append("  PartitionCount: ")
                .append(t.partitions().size())
                .append("  ReplicationFactor: ")
                .append(t.replicationFactor());
        if (t.configs() != null) {
            StringJoiner configs = new StringJoiner(", ");
            t.configs().forEach((k, v) -> configs.add(k + "=" + v));
            header.append("  Configs: ").append(configs);
        }
        if (t.markedForDeletion()) {
            header.append("  MarkedForDeletion: true");
        }
        io.println(header.toString());
        boolean epochs = t.partitions().stream().anyMatch(p -> p.leaderEpoch() != null);
        // compacted topics only: the policy, and what the brokers' cleaners report (--zookeeper)
        boolean compacted = t.partitions().stream()
                .anyMatch(p -> p.compaction() != null && p.compaction().compacted());
        boolean dirtiness = compacted
                && t.partitions().stream()
                        .anyMatch(p -> p.compaction() != null && p.compaction().dirtyRatio() != null);
        boolean uncleanable = compacted
                && t.partitions().stream()
                        .anyMatch(p -> p.compaction() != null
                                && !p.compaction().uncleanable().isEmpty());
        List<String> headers = new ArrayList<>(List.of("PARTITION", "LEADER"));
        if (epochs) {
            headers.add("LEADER_EPOCH");
        }
        headers.addAll(List.of("REPLICAS", "ISR"));
        if (compacted) {
            headers.add("POLICY");
        }
        if (dirtiness) {
            headers.addAll(List.of("DIRTY_RATIO", "LAST_CLEANED"));
        }
        if (uncleanable) {
            headers.add("UNCLEANABLE");
        }
        Table table = new Table(headers.toArray(String[]::new));
        for (TopicBackend.PartitionDescription p : t.partitions()) {
            List<Object> row = new ArrayList<>(List.of(p.partition(), p.leader() == null ? "none" : p.leader()));
            if (epochs) {
                row.add(p.leaderEpoch() == null ? "-" : p.leaderEpoch());
            }
            row.add(TopicBackend.formatIds(p.replicas()));
            row.add(TopicBackend.formatIds(p.isr()));
            TopicBackend.Compaction c = p.compaction();
            if (compacted) {
                row.add(c == null ? "-" : c.cleanupPolicy());
            }
            if (dirtiness) {
                row.add(c == null || c.dirtyRatio() == null ? "-" : String.format(Locale.ROOT, "%.2f", c.dirtyRatio()));
                row.add(
                        c == null || c.lastCleanedMs() == null || c.lastCleanedMs() < 0
                                ? "-"
                                : Instant.ofEpochMilli(c.lastCleanedMs())
                                        .truncatedTo(ChronoUnit.SECONDS)
                                        .toString());
            }
            if (uncleanable) {
                StringJoiner reasons = new StringJoiner("; ");
                if (c != null) {
                    c.uncleanable().forEach(u -> reasons.add("broker " + u.broker() + ": " + u.reason()));
                }
                row.add(reasons.length() == 0 ? "-" : reasons.toString());
            }
            table.row(row.toArray());
        }
        table.print(io, "  ");
    }

    private static Map<String, Object> json(TopicBackend.TopicDescription t) {
        Map<String, Object> m = Json.object(
                "topic", t.name(),
                "topicId", t.topicId(),
                "partitionCount", t.partitions().size(),
                "replicationFactor", t.replicationFactor());
        if (t.configs() != null) {
            m.put("configs", t.configs());
        }
        if (t.markedForDeletion()) {
            m.put("markedForDeletion", true);
        }
        List<Map<String, Object>> partitions = new ArrayList<>();
        for (TopicBackend.PartitionDescription p : t.partitions()) {
            Map<String, Object> pm = Json.object("partition", p.partition(), "leader", p.leader());
            if (p.leaderEpoch() != null) {
                pm.put("leaderEpoch", p.leaderEpoch());
            }
            pm.put("replicas", p.replicas());
            pm.put("isr", p.isr());
            TopicBackend.Compaction c = p.compaction();
            if (c != null) {
                pm.put("cleanupPolicy", c.cleanupPolicy());
                if (c.dirtyRatio() != null) {
                    pm.put("dirtyRatio", c.dirtyRatio());
                    pm.put("firstDirtyOffset", c.firstDirtyOffset());
                    pm.put("lastCleanedMs", c.lastCleanedMs());
                }
                if (!c.uncleanable().isEmpty()) {
                    pm.put(
                            "uncleanable",
                            c.uncleanable().stream()
                                    .map(u -> Json.object("broker", u.broker(), "reason", u.reason()))
                                    .toList());
                }
            }
            partitions.add(pm);
        }
        m.put("partitions", partitions);
        return m;
    }
}
