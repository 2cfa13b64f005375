package io.strand.tools.zk;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.OutputFlags;
import io.strand.tools.cli.Table;
import io.strand.tools.cli.UsageException;
import io.strand.tools.cli.ZkFlags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/** {@code strand zk ls PATH}: the children of a znode, each with its version. */
final class ZkLs extends Command<ZkLs.Flags> {
    static final class Flags {
        @ParametersDelegate
        final ZkFlags zk = new ZkFlags();

        @ParametersDelegate
        final OutputFlags output = new OutputFlags();

        @Parameter(description = "PATH")
        List<String> path = new ArrayList<>();
    }

    ZkLs() {
        super(new Flags());
    }

    @Override
    public int run(Io io) throws Exception {
        String path = onePath(flags.path);
        try (CuratorFramework zk = flags.zk.connect(true)) {
            Stat stat = new Stat();
            List<String> children;
            try {
                children = new ArrayList<>(zk.getChildren().storingStatIn(stat).forPath(path));
            } catch (KeeperException.NoNodeException e) {
                throw new CliException(noNode(path, flags.zk.zookeeper()));
            } catch (Exception e) {
                throw new CliException("ZooKeeper: could not list " + path + ": " + Failures.describe(e), e);
            }
            children.sort(null);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (String child : children) {
                Stat s = zk.checkExists().forPath(child(path, child));
                if (s == null) {
                    continue; // deleted since listed
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", child);
                row.put("version", s.getVersion());
                row.put("children", s.getNumChildren());
                row.put("bytes", s.getDataLength());
                rows.add(row);
            }
            if (flags.output.json()) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("path", path);
                json.put("version", stat.getVersion());
                json.put("children", rows);
                io.println(Json.write(json));
            } else {
                io.println("Path: " + path + "  Version: " + stat.getVersion() + "  Children: " + rows.size());
                if (!rows.isEmpty()) {
                    Table table = new Table("NAME", "VERSION", "CHILDREN", "BYTES");
                    rows.forEach(r -> table.row(r.get("name"), r.get("version"), r.get("children"), r.get("bytes")));
                    table.print(io, "  ");
                }
            }
        }
        return 0;
    }

    static String onePath(List<String> paths) {
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
        return ZnodePaths.normalize(paths.get(0));
    }

    static String child(String parent, String child) {
        return parent.equals("/") ? "/" + child : parent + "/" + child;
    }

    static String noNode(String path, String connect) {
        return "znode " + path + " does not exist (NONODE; under " + connect + ")";
    }
}
