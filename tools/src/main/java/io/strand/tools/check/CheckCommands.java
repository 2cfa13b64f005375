package io.strand.tools.check;

import io.strand.tools.cli.CommandSpec;
import java.util.List;

/**
 * {@code strand check}: a produce–consume–validate run against a cluster. Registers its command with
 * {@link io.strand.tools.StrandCli}.
 */
public final class CheckCommands {
    private CheckCommands() {}

    /** The commands of this group, in the order {@code strand --help} lists them. */
    public static List<CommandSpec> commands() {
        return List.of(new CommandSpec(
                "check",
                "Write records and read them back: report lost, duplicated, reordered records and latency",
                Check::new));
    }
}
