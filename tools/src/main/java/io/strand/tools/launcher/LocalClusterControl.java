package io.strand.tools.launcher;

import io.strand.tools.launcher.LocalClusterFlags.Command;
import io.strand.tools.launcher.LocalClusterFlags.Options;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The local cluster of a directory D as other tools drive it ({@code strand check --kill-leaders}):
 * which brokers D holds, the pid of each running one, {@code kill -9} of a broker, and starting
 * again what does not run, through the launcher's own {@link StartCommand} (the same as {@code
 * bin/strand-cluster start --dir D}). A process counts as the cluster's only as {@link
 * ProcessControl#isOurs} says, so nothing else is ever signalled.
 *
 * <p>Not thread-safe: used by one thread at a time. {@link #startStopped} takes D's {@link DirLock},
 * so it fails while a {@code bin/strand-cluster} command works on D.
 */
public final class LocalClusterControl {
    /** The default cluster directory of {@code bin/strand-cluster}, relative to the current directory. */
    public static final String DEFAULT_DIR = LocalClusterFlags.DEFAULT_DIR;

    private final ClusterLayout layout;
    private final Console console;
    private final ProcessControl processes;
    private final Path home;

    private LocalClusterControl(ClusterLayout layout, Path home, PrintStream progress) {
        this.layout = layout;
        this.console = new Console(progress, progress);
        this.processes = new ProcessControl(console);
        this.home = home;
    }

    /**
     * The cluster in {@code dir} (relative to the current directory unless absolute).
     *
     * @param progress where the launcher's progress lines go when it starts brokers
     * @throws IllegalArgumentException naming what is missing when {@code dir} holds no local cluster
     */
    public static LocalClusterControl open(String dir, PrintStream progress) {
        // the paths of D as bin/strand-cluster names them: a process is recognised by its config file's path
        ClusterLayout layout = new ClusterLayout(LocalCluster.absolute(LocalCluster.workingDirectory(), dir));
        if (!Files.isRegularFile(layout.conf())) {
            throw new IllegalArgumentException("no local cluster in " + layout.dir() + " (no " + layout.conf()
                    + "; give the --dir of bin/strand-cluster start)");
        }
        return new LocalClusterControl(layout, home().orElse(null), progress);
    }

    public Path dir() {
        return layout.dir();
    }

    /** The broker ids of D's cluster, ascending. */
    public List<Integer> brokerIds() throws IOException {
        return layout.brokerIds();
    }

    /** The pid of broker {@code id} when it runs from D. */
    public Optional<Long> brokerPid(int id) {
        return processes.running(layout.broker(id)).map(ProcessHandle::pid);
    }

    /**
     * Kills broker {@code id} with SIGKILL and waits until it is gone.
     *
     * @return its pid
     * @throws IllegalStateException if it does not run from D, or still runs after {@code timeout}
     */
    public long kill(int id, Duration timeout) throws InterruptedException {
        ClusterProcess broker = layout.broker(id);
        ProcessHandle h = processes
                .running(broker)
                .orElseThrow(() -> new IllegalStateException("broker " + id + " does not run from " + layout.dir()));
        h.destroyForcibly(); // SIGKILL on Unix: kill -9
        try {
            h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            if (ProcessControl.isOurs(h, broker)) {
                throw new IllegalStateException(
                        "broker " + id + " (pid " + h.pid() + ") still runs " + timeout + " after SIGKILL");
            }
        }
        return h.pid();
    }

    /**
     * Starts what does not run of D's cluster, as {@code bin/strand-cluster start --dir D --timeout
     * S}, and waits until every broker answers listing all of them.
     *
     * @return the launcher's exit code (0 ok, 1 failed); its progress and errors went to the stream
     *     given to {@link #open}
     */
    public int startStopped(int timeoutSeconds) {
        Options options = new Options(Command.START, null, layout.dir().toString(), null, null, timeoutSeconds, false);
        try {
            return new StartCommand(layout, options, console, home, System.nanoTime()).run();
        } catch (ClusterException e) {
            console.error(e.getMessage());
            return LocalCluster.FAILED;
        } catch (IOException | RuntimeException e) {
            console.error("start failed: " + e);
            return LocalCluster.FAILED;
        }
    }

    /**
     * The repository root whose {@code bin/} runs the processes: {@code -Dstrand.home} (set by the
     * scripts), else the first directory above this class's jar or classes directory that holds
     * {@code bin/strand-broker}.
     */
    static Optional<Path> home() {
        String property = System.getProperty("strand.home");
        if (property != null && !property.isBlank()) {
            return Optional.of(Path.of(property));
        }
        try {
            CodeSource source = LocalClusterControl.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return Optional.empty();
            }
            for (Path p = Path.of(source.getLocation().toURI()); p != null; p = p.getParent()) {
                if (Files.isExecutable(p.resolve("bin").resolve("strand-broker"))) {
                    return Optional.of(p);
                }
            }
        } catch (URISyntaxException | RuntimeException e) {
            // no home found: starting fails saying so
        }
        return Optional.empty();
    }
}
