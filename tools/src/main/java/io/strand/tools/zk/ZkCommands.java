package io.strand.tools.zk;

import io.strand.tools.cli.CommandSpec;
import java.util.List;

/**
 * The {@code strand zk} group (read znodes) and {@code strand watch} (follow znode changes live).
 * Registers its commands with {@link io.strand.tools.StrandCli}.
 */
public final class ZkCommands {
    private ZkCommands() {}

    /** The commands of this group, in the order {@code strand --help} lists them. */
    public static List<CommandSpec> commands() {
        return List.of(
                new CommandSpec("zk ls", "List the children of a znode (paths are relative to the chroot)", ZkLs::new),
                new CommandSpec(
                        "zk get",
                        "Show a znode's decoded payload and version (paths are relative to the chroot)",
                        ZkGet::new),
                new CommandSpec(
                        "watch",
                        "Print every znode change under PATH (default: the whole chroot) live, decoded",
                        Watch::new));
    }
}
