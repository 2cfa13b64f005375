package io.strand.tools.cluster;

import io.strand.tools.cli.CommandSpec;
import java.util.List;

/**
 * The {@code strand cluster} group: the state of the cluster as a whole. Registers its commands with
 * {@link io.strand.tools.StrandCli}.
 */
public final class ClusterCommands {
    private ClusterCommands() {}

    /** The commands of this group, in the order {@code strand --help} lists them. */
    public static List<CommandSpec> commands() {
        return List.of(new CommandSpec(
                "cluster describe",
                "Show brokers, the controller, offline and under-replicated partitions",
                ClusterDescribe::new));
    }
}
