package io.strand.tools.zk;

import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/** {@code strand zk get PATH}: a znode's payload decoded (protobuf to JSON) with its version. */
final class ZkGet extends Command<ZnodeFlags> {
    ZkGet() {
        super(new ZnodeFlags());
    }

    @Override
    public int run(Io io) {
        String path = flags.path();
        try (CuratorFramework zk = flags.zk.connect(true)) {
            Stat stat = new Stat();
            byte[] data;
            try {
                data = zk.getData().storingStatIn(stat).forPath(path);
            } catch (KeeperException.NoNodeException e) {
                throw new CliException(ZnodePaths.noNode(path, flags.zk.zookeeper()));
            } catch (Exception e) {
                throw new CliException("ZooKeeper: could not read " + path + ": " + Failures.describe(e), e);
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("path", path);
            fields.put("version", stat.getVersion());
            fields.put("ctime", Instant.ofEpochMilli(stat.getCtime()).toString());
            fields.put("mtime", Instant.ofEpochMilli(stat.getMtime()).toString());
            fields.put("children", stat.getNumChildren());
            if (stat.getEphemeralOwner() != 0) {
                fields.put("ephemeralOwner", "0x" + Long.toHexString(stat.getEphemeralOwner()));
            }
            if (flags.output.json()) {
                fields.put("data", Payloads.json(path, data));
                io.println(Json.write(fields));
            } else {
                fields.put("data", Payloads.text(path, data));
                fields.forEach((k, v) -> io.println(String.format("%-15s %s", k + ":", v)));
            }
        }
        return 0;
    }
}
