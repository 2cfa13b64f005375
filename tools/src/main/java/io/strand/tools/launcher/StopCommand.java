package io.strand.tools.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/**
 * {@code strand-cluster stop}: SIGTERM to the brokers of the cluster in D, then to its ZooKeeper,
 * SIGKILL to what still runs after {@code --timeout} seconds (default 30); only processes that
 * {@link ProcessControl#isOurs} recognises. Data is kept. Exit 0, or 1 when a process did not stop.
 *
 * <p>Runs on the calling thread, holding the cluster dir's {@link DirLock}.
 */
final class StopCommand {
    static final int DEFAULT_TIMEOUT_SECONDS = 30;

    private final ClusterLayout layout;
    private final Console console;
    private final int timeoutSeconds;

    StopCommand(ClusterLayout layout, Console console, Integer timeoutSeconds) {
        this.layout = layout;
        this.console = console;
        this.timeoutSeconds = timeoutSeconds != null ? timeoutSeconds : DEFAULT_TIMEOUT_SECONDS;
    }

    int run() throws IOException, ClusterException {
        if (!Files.isDirectory(layout.pids())) {
            console.say("no cluster in " + layout.dir() + ": nothing to stop");
            return LocalCluster.OK;
        }
        try (DirLock lock = DirLock.acquire(layout.lockFile(), layout.dir())) {
            ProcessControl processes = new ProcessControl(console);
            List<ClusterProcess> brokers =
                    layout.brokerIds().stream().map(layout::broker).toList();
            if (!brokers.isEmpty() && !processes.stop(timeoutSeconds, brokers)) {
                return LocalCluster.FAILED;
            }
            if (!processes.stop(timeoutSeconds, List.of(layout.zooKeeper()))) {
                return LocalCluster.FAILED;
            }
            console.say("cluster in " + layout.dir() + " stopped (data kept)");
            return LocalCluster.OK;
        }
    }
}
