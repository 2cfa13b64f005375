package io.strand.tools.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;

/**
 * {@code strand-cluster status}: one line per process of the cluster in D on stdout (running or
 * stopped, pid, address, whether it serves, and a broker's HTTP address), a summary on stderr. Exit 0 when everything runs, 3
 * when nothing does (or there is no cluster in D), 1 in between. Takes no lock: it only reads.
 *
 * <p>Runs on the calling thread.
 */
final class StatusCommand {
    private final ClusterLayout layout;
    private final Console console;
    private final ProcessControl processes;

    StatusCommand(ClusterLayout layout, Console console) {
        this.layout = layout;
        this.console = console;
        this.processes = new ProcessControl(console);
    }

    int run() throws IOException {
        if (!Files.exists(layout.conf()) && !Files.isDirectory(layout.pids())) {
            console.say("no cluster in " + layout.dir());
            return LocalCluster.NOTHING_RUNS;
        }
        int running = 0;
        int total = 1;
        String zkPort = layout.zooKeeperPort().orElse("");
        Optional<ProcessHandle> zk = processes.running(layout.zooKeeper());
        if (zk.isPresent()) {
            running++;
            String detail = ClusterLayout.uint(zkPort)
                    .flatMap(SocketProbes::zooKeeperMode)
                    .map(mode -> "mode " + mode)
                    .orElse("not serving yet");
            console.result(String.format(
                    "%-10s %-8s pid %-8s 127.0.0.1:%-6s %s",
                    "zookeeper", "running", zk.get().pid(), zkPort, detail));
        } else {
            console.result(String.format("%-10s %-8s %-12s 127.0.0.1:%s", "zookeeper", "stopped", "", zkPort));
        }
        for (int id : layout.brokerIds()) {
            total++;
            String address = Files.exists(layout.brokerProperties(id)) ? layout.brokerAddress(id) : "";
            String name = "broker " + id;
            String http = Files.exists(layout.brokerProperties(id))
                    ? layout.brokerHttpUrl(id).orElse("")
                    : "";
            Optional<ProcessHandle> broker = processes.running(layout.broker(id));
            if (broker.isPresent()) {
                running++;
                String detail = SocketProbes.portOpen(address) ? "listening" : "not listening yet";
                console.result(String.format(
                                "%-10s %-8s pid %-8s %-16s %-17s %s",
                                name, "running", broker.get().pid(), address, detail, http)
                        .stripTrailing());
            } else {
                console.result(String.format("%-10s %-8s %-12s %-16s %s", name, "stopped", "", address, http)
                        .stripTrailing());
            }
        }
        console.say("(" + running + " of " + total + " running; data and logs in " + layout.dir() + ")");
        if (running == total) {
            return LocalCluster.OK;
        }
        return running == 0 ? LocalCluster.NOTHING_RUNS : LocalCluster.FAILED;
    }
}
