package io.strand.tools.groups;

import io.strand.tools.cli.CommandSpec;
import java.util.List;

/**
 * The {@code strand groups} group: consumer groups, their members, committed offsets and lag.
 * Registers its commands with {@link io.strand.tools.StrandCli}.
 */
public final class GroupsCommands {
    private GroupsCommands() {}

    /** The commands of this group, in the order {@code strand --help} lists them. */
    public static List<CommandSpec> commands() {
        return List.of(
                new CommandSpec("groups list", "List consumer groups and their states", GroupsList::new),
                new CommandSpec(
                        "groups describe",
                        "Describe a consumer group: members, committed offsets, lag",
                        GroupsDescribe::new),
                new CommandSpec(
                        "groups reset-offsets",
                        "Reset a group's committed offsets (dry run unless --execute)",
                        GroupsResetOffsets::new));
    }
}
