package io.strand.tools.reassign;

import io.strand.tools.cli.CommandSpec;
import java.util.List;

/**
 * The {@code strand reassign} group (move replicas with a plan) and {@code strand elect-leaders}
 * (move leadership back to the first replica). Registers its commands with {@link
 * io.strand.tools.StrandCli}.
 */
public final class ReassignCommands {
    private ReassignCommands() {}

    /** The commands of this group, in the order {@code strand --help} lists them. */
    public static List<CommandSpec> commands() {
        return List.of(
                new CommandSpec(
                        "reassign generate",
                        "Propose a plan moving topics onto a set of brokers (changes nothing)",
                        ReassignGenerate::new),
                new CommandSpec("reassign execute", "Start the moves of a reassignment plan", ReassignExecute::new),
                new CommandSpec(
                        "reassign status",
                        "Show the progress of a reassignment plan, or every move in progress",
                        ReassignStatus::new),
                new CommandSpec(
                        "reassign cancel",
                        "Cancel moves in progress; partitions go back to their original replicas",
                        ReassignCancel::new),
                new CommandSpec("elect-leaders", "Move leadership back to the preferred replicas", ElectLeaders::new));
    }
}
