package io.strand.tools.zk;

import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/** {@code strand zk ls PATH}: the children of a znode, each with its version. */
final class ZkLs extends Command<ZnodeFlags> {
    ZkLs() {
        super(new ZnodeFlags());
    }

    @Override
    public int run(Io io) throws Exception {
        String path = flags.path();
        try (CuratorFramework zk = flags.zk.connect(true)) {
            Stat stat = new Stat();
            List<String> children;
            try {
                children = new ArrayList<>(zk.getChildren().storingStatIn(stat).forPath(path));
            } catch (KeeperException.NoNodeException e) {
                throw new CliException(ZnodePaths.noNode(path, flags.zk.zookeeper()));
            } catch (Exception e) {
                throw new CliException("ZooKeeper: could not list " + path + ": " + Failures.describe(e), e);
            }
            children.sort(null);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (String child : children) {
                Stat s = zk.checkExists().forPath(ZnodePaths.child(path, child));
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
}
