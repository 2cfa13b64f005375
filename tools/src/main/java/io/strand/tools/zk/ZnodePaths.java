package io.strand.tools.zk;

import io.strand.tools.cli.UsageException;
import org.apache.zookeeper.common.PathUtils;

/** Checks a znode path given on the command line (relative to the chroot). Stateless. */
final class ZnodePaths {
    private ZnodePaths() {}

    static String normalize(String path) {
        String p = path.trim();
        if (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        try {
            PathUtils.validatePath(p);
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad znode path '" + path + "': " + e.getMessage()
                    + " (paths start with / and are relative to the chroot)");
        }
        return p;
    }
}
