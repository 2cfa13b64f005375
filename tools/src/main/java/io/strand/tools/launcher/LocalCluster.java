package io.strand.tools.launcher;

import io.strand.tools.launcher.LocalClusterFlags.Options;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code bin/strand-cluster}: a local Strand cluster of one ZooKeeper and N brokers on 127.0.0.1,
 * started in the background. This is the command behind the script: it parses the command line
 * ({@link LocalClusterFlags}), runs {@link StartCommand}, {@link StatusCommand} or {@link StopCommand}
 * on the cluster directory ({@link ClusterLayout}), and returns the script's exit codes: 0 ok, 1
 * failed (and, for status, some but not all running), 2 usage, 3 nothing runs (status).
 *
 * <p>The script builds the project first when its jars are missing and then runs this class with
 * {@code -Dstrand.home=<repo root>}; a start's {@code --timeout} counts from this JVM's start.
 *
 * <p>Threading: a command runs on the calling thread.
 */
public final class LocalCluster {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int NOTHING_RUNS = 3;

    /** The usage, word for word the header of bin/strand-cluster (a test holds them equal). */
    static final String USAGE_TEXT = """
            A local Strand cluster: one ZooKeeper and N brokers on 127.0.0.1, in the background.

              bin/strand-cluster start  [--brokers N] [--dir D] [--zk-port P] [--base-port P] [--timeout S] [--secure]
              bin/strand-cluster status [--dir D]
              bin/strand-cluster stop   [--dir D] [--timeout S]

            start   builds the project if it is not built, starts what does not run yet
                    (ZooKeeper first, then brokers 1..N), waits until ZooKeeper serves and
                    every broker answers a Kafka request listing all N brokers, then prints
                    the bootstrap servers on stdout (progress goes to stderr), e.g.
                      127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094
                    A second start starts only what is missing; a start on a stopped
                    cluster's dir reuses its data; a larger --brokers adds brokers.
                    With --secure (fixed when D is first used): TLS, SASL SCRAM and ACLs on one
                    SASL_SSL listener per broker, and a locked-down ZooKeeper (znode ACLs, digest
                    credentials). A CA, certificates and passwords are generated into D/security/;
                    D/client-admin.properties holds the Kafka client properties of the admin
                    super user (kafka-topics --command-config D/client-admin.properties);
                    the SASL_SSL bootstrap servers are printed as the last line.
            status  running/stopped, pid and port of each process. Exit 0 when all run,
                    3 when nothing runs, 1 in between.
            stop    SIGTERM to the brokers, then to ZooKeeper (SIGKILL after --timeout);
                    only processes this script started in D (recorded pid + command line).

            Options:
              --brokers N     number of brokers (default 3, or as many as D already has)
              --dir D         data, logs, pids (default ./strand-data, relative to the current dir)
              --zk-port P     ZooKeeper client port (default 2181); fixed when D is first used
              --base-port P   port of broker 1; broker i listens on P+i-1 (default 9092); fixed when D is first used
              --timeout S     start: seconds to wait for the cluster (default 120), counted from
                              when the project is built; stop: seconds before SIGKILL (default 30)
              --secure        start a secured cluster (see start above)

            Layout of D:
              cluster.conf                 brokers, zk.port, base.port, secure of this cluster
              zookeeper/zoo.cfg, zookeeper/data/
              broker-<i>/server.properties (written when missing; edit freely), broker-<i>/data/
              logs/zookeeper.log, logs/broker-<i>.log
              pids/zookeeper.pid, pids/broker-<i>.pid
              security/, client-admin.properties   --secure: CA, keystores, passwords (owner only)

            Environment: STRAND_HEAP_OPTS, STRAND_OPTS (brokers), STRAND_ZK_HEAP_OPTS,
            STRAND_ZK_OPTS (ZooKeeper), see bin/strand-broker and bin/strand-zookeeper.
            """;

    private final Path home;
    private final Path cwd;
    private final Console console;
    private final long startNanos;

    /**
     * @param home the repository root (its {@code bin/} runs the processes); null when unknown, and
     *     then {@code start} cannot start anything
     * @param cwd the directory a relative {@code --dir} is resolved against
     * @param startNanos {@link System#nanoTime()} when the launcher started: start's deadline counts from it
     */
    LocalCluster(Path home, Path cwd, PrintStream out, PrintStream err, long startNanos) {
        this.home = home;
        this.cwd = cwd;
        this.console = new Console(out, err);
        this.startNanos = startNanos;
    }

    public static void main(String[] args) {
        long startNanos = System.nanoTime();
        String home = System.getProperty("strand.home");
        int code = new LocalCluster(
                        home == null ? null : Path.of(home), workingDirectory(), System.out, System.err, startNanos)
                .run(args);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /** Runs one command line; returns its exit code. Never exits the JVM. */
    int run(String... args) {
        Optional<Options> parsed;
        try {
            parsed = LocalClusterFlags.parse(args);
        } catch (UsageException e) {
            if (e.getMessage() == null) {
                console.err().print(USAGE_TEXT);
            } else {
                console.error(e.getMessage());
            }
            return USAGE;
        }
        if (parsed.isEmpty()) {
            console.out().print(USAGE_TEXT);
            return OK;
        }
        Options options = parsed.get();
        ClusterLayout layout = new ClusterLayout(absolute(cwd, options.dir()));
        try {
            return switch (options.command()) {
                case START -> new StartCommand(layout, options, console, home, startNanos).run();
                case STATUS -> new StatusCommand(layout, console).run();
                case STOP -> new StopCommand(layout, console, options.timeoutSeconds()).run();
            };
        } catch (ClusterException e) {
            console.error(e.getMessage());
            return FAILED;
        } catch (IOException | RuntimeException e) {
            console.error(LocalClusterFlags.word(options.command()) + " failed: " + e);
            return FAILED;
        }
    }

    /**
     * An absolute path without resolving symbolic links or "..": "." elements dropped, so that equal
     * paths compare equal (a process is recognised by the path of its config file).
     */
    static Path absolute(Path cwd, String path) {
        Path p = path.isEmpty() ? cwd : cwd.resolve(path);
        Path out = p.getRoot();
        for (Path element : p) {
            if (!element.toString().equals(".")) {
                out = out == null ? element : out.resolve(element);
            }
        }
        return out == null ? cwd : out;
    }

    /**
     * The current directory as the shell names it ($PWD, which keeps symbolic links) when that is
     * this JVM's working directory, else the JVM's: the paths of a cluster dir stay the ones the user
     * typed.
     */
    static Path workingDirectory() {
        Path jvm = Path.of(System.getProperty("user.dir"));
        String pwd = System.getenv("PWD");
        if (pwd != null && pwd.startsWith("/")) {
            try {
                if (Files.isSameFile(Path.of(pwd), jvm)) {
                    return Path.of(pwd);
                }
            } catch (IOException | RuntimeException e) {
                // not the same directory
            }
        }
        return jvm;
    }
}
