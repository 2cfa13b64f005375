package io.strand.tools.configs;

import io.strand.tools.cli.CommandSpec;
import java.util.List;

/**
 * The {@code strand configs} group: config overrides of a topic, a broker or the broker default.
 * Registers its commands with {@link io.strand.tools.StrandCli}.
 */
public final class ConfigsCommands {
    private ConfigsCommands() {}

    /** The commands of this group, in the order {@code strand --help} lists them. */
    public static List<CommandSpec> commands() {
        return List.of(
                new CommandSpec(
                        "configs get",
                        "Show the config overrides of a topic or broker (--all: every config)",
                        ConfigsGet::new),
                new CommandSpec("configs set", "Set config overrides of a topic or broker", ConfigsSet::new),
                new CommandSpec("configs delete", "Remove config overrides of a topic or broker", ConfigsDelete::new));
    }
}
