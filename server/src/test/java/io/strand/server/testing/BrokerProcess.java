package io.strand.server.testing;

import io.strand.server.StrandBroker;
import io.strand.testing.PowerCut;
import io.strand.wal.SyncJournal;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One broker as a child JVM ({@link StrandBroker} with a generated properties file), for tests where
 * a crash is the point: {@link #kill()} is {@code kill -9} (SIGKILL via destroyForcibly), and
 * {@link #start()} runs it again on the same port and data directory. Output goes to a log file
 * next to its data. In a setting's value {@code {dir}} stands for its directory and {@code {port}}
 * for its port (e.g. {@code listeners=SASL_SSL://127.0.0.1:{port}}). A setting {@code @jvm.<name>=<value>}
 * is a system property of its JVM ({@code -D<name>=<value>}), not a broker setting; with {@link
 * ProcessTestCluster#POWER_CUT_JOURNAL} the broker journals its fsyncs, and {@link #powerCut()} is a
 * kill -9 followed by the loss of everything not fsynced ({@link PowerCut}).
 */
public final class BrokerProcess implements AutoCloseable {
    /** A setting {@code @jvm.<name>=<value>} is the system property {@code <name>} of the broker's JVM. */
    public static final String JVM_PREFIX = "@jvm.";

    private final int brokerId;
    private final int port;
    private final Path dir;
    private final Map<String, String> settings;
    private Process process;

    public BrokerProcess(int brokerId, int port, Path dir, Map<String, String> settings) {
        this.brokerId = brokerId;
        this.port = port;
        this.dir = dir;
        this.settings = Map.copyOf(settings);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    public int brokerId() {
        return brokerId;
    }

    public int port() {
        return port;
    }

    /** This broker's directory: its settings, log file and (by default) {@code data/}, its log directory. */
    public Path dir() {
        return dir;
    }

    /** The exit status of a process that has ended; -1 while it runs or before it started. */
    public synchronized int exitValue() {
        return process == null || process.isAlive() ? -1 : process.exitValue();
    }

    private String substitute(String value) {
        return value.replace("{dir}", dir.toString()).replace("{port}", Integer.toString(port));
    }

    /** Its log directories: {@code log.dirs} if a setting names them, else {@code data/}. */
    public List<Path> logDirs() {
        String dirs = settings.getOrDefault("log.dirs", settings.get("@" + brokerId + ".log.dirs"));
        if (dirs == null) {
            return List.of(dir.resolve("data"));
        }
        return java.util.Arrays.stream(substitute(dirs).split(","))
                .map(String::trim)
                .map(Path::of)
                .toList();
    }

    /** The journal of its fsyncs, if it keeps one ({@link ProcessTestCluster#POWER_CUT_JOURNAL}). */
    public Optional<Path> syncJournal() {
        return Optional.ofNullable(settings.get(JVM_PREFIX + SyncJournal.PROPERTY))
                .map(v -> Path.of(substitute(v)));
    }

    public Path logFile() {
        return dir.resolve("broker.log");
    }

    public synchronized void start() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException("broker " + brokerId + " is running");
        }
        Files.createDirectories(dir);
        Path props = dir.resolve("server.properties");
        StringBuilder sb = new StringBuilder();
        sb.append("broker.id=").append(brokerId).append('\n');
        sb.append("listeners=PLAINTEXT://127.0.0.1:").append(port).append('\n');
        sb.append("log.dirs=").append(dir.resolve("data")).append('\n');
        settings.forEach((k, v) -> {
            String key = k;
            if (k.startsWith(ProcessTestCluster.CLIENT_PREFIX) || k.startsWith(JVM_PREFIX)) {
                return; // a setting of the test's clients, or a system property of the broker's JVM
            }
            if (k.startsWith("@")) { // "@<id>.<key>": for that broker only
                int dot = k.indexOf('.');
                if (!k.substring(1, dot).equals(Integer.toString(brokerId))) {
                    return;
                }
                key = k.substring(dot + 1);
            }
            sb.append(key).append('=').append(substitute(v)).append('\n');
        });
        Files.writeString(props, sb.toString());
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m",
                "-Xmx384m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1"));
        // the broker finds buffer leaks as carefully as the test JVM does; ProcessTestCluster reads its log for them
        String leakLevel = System.getProperty("io.netty.leakDetection.level");
        if (leakLevel != null) {
            cmd.add("-Dio.netty.leakDetection.level=" + leakLevel);
        }
        settings.forEach((k, v) -> {
            if (k.startsWith(JVM_PREFIX)) {
                cmd.add("-D" + k.substring(JVM_PREFIX.length()) + "=" + substitute(v));
            }
        });
        cmd.addAll(
                List.of("-cp", System.getProperty("java.class.path"), StrandBroker.class.getName(), props.toString()));
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                .start();
    }

    /** SIGSTOP ({@code pause = true}) or SIGCONT: the process stays, its sockets stay open, it does nothing. */
    public synchronized void signalPause(boolean pause) throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("broker " + brokerId + " is not running");
        }
        Process kill = new ProcessBuilder("kill", pause ? "-STOP" : "-CONT", Long.toString(process.pid()))
                .inheritIO()
                .start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill " + (pause ? "-STOP" : "-CONT") + " " + process.pid() + " failed");
        }
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL without waiting for the process to end ({@link #kill()} waits). */
    public synchronized void sendKill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    /**
     * A simulated power cut of this broker's machine: kill -9, then its log directories lose every write
     * not fsynced ({@link PowerCut#rewind}). Start it again with {@link #start()}.
     *
     * @throws IllegalStateException if it keeps no sync journal ({@link ProcessTestCluster#POWER_CUT_JOURNAL})
     */
    public synchronized PowerCut.Report powerCut() throws IOException, InterruptedException {
        Path journal = syncJournal()
                .orElseThrow(() -> new IllegalStateException("broker " + brokerId
                        + " keeps no sync journal: start its cluster with ProcessTestCluster.POWER_CUT_JOURNAL"));
        kill();
        return PowerCut.rewind(journal, logDirs());
    }

    /** kill -9. */
    public synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM and wait for a clean stop. */
    public synchronized void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws Exception {
        kill();
    }
}
