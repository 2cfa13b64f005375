package io.strand.tools.zk;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.OutputFlags;
import io.strand.tools.cli.ZkFlags;
import java.util.ArrayList;
import java.util.List;

/** The flags of {@code zk ls} and {@code zk get}: the ZooKeeper connection, {@code --json} and one znode PATH. */
final class ZnodeFlags {
    @ParametersDelegate
    final ZkFlags zk = new ZkFlags();

    @ParametersDelegate
    final OutputFlags output = new OutputFlags();

    @Parameter(description = "PATH")
    List<String> path = new ArrayList<>();

    /** The PATH given, checked and normalized. */
    String path() {
        return ZnodePaths.one(path);
    }
}
