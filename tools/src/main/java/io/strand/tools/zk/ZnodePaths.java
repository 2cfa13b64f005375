package io.strand.tools.zk;

import io.strand.tools.cli.UsageException;
import java.util.List;
import org.apache.zookeeper.common.PathUtils;

/** Znode paths as the zk commands take and name them (relative to the chroot). Stateless. */
final class ZnodePaths {
    private ZnodePaths() {}

    /** The one PATH of a command line, checked and normalized; a stray flag or a count other than one is a usage error. */
    static String one(List<String> paths) {
        for (String p : paths) {
            if (p.startsWith("-")) {
                throw new UsageException("unknown flag " + p);
            }
        }
        if (paths.size() != 1) {
            throw new UsageException(
                    paths.isEmpty()
                            ? "missing PATH, e.g. /topics"
                            : "expected one PATH, got " + paths.size() + ": " + String.join(" ", paths));
        }
        return normalize(paths.get(0));
    }

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

    static String child(String parent, String child) {
        return parent.equals("/") ? "/" + child : parent + "/" + child;
    }

    static String noNode(String path, String connect) {
        return "znode " + path + " does not exist (NONODE; under " + connect + ")";
    }
}
