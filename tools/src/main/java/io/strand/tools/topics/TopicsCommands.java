package io.strand.tools.topics;

import io.strand.tools.cli.CommandSpec;
import java.util.List;

/**
 * The {@code strand topics} group: create, list, describe, delete and alter topics, through a
 * broker or (--zookeeper) on the znodes. Registers its commands with {@link io.strand.tools.StrandCli}.
 */
public final class TopicsCommands {
    private TopicsCommands() {}

    /** The commands of this group, in the order {@code strand --help} lists them. */
    public static List<CommandSpec> commands() {
        return List.of(
                new CommandSpec("topics create", "Create a topic", TopicsCreate::new),
                new CommandSpec("topics list", "List topic names", TopicsList::new),
                new CommandSpec(
                        "topics describe",
                        "Describe topics: partitions, leaders, replicas, ISR, configs, compaction (dirty ratios need"
                                + " --zookeeper)",
                        TopicsDescribe::new),
                new CommandSpec(
                        "topics delete", "Delete a topic (its data on every broker goes with it)", TopicsDelete::new),
                new CommandSpec(
                        "topics alter", "Add partitions to a topic or change its config overrides", TopicsAlter::new));
    }
}
