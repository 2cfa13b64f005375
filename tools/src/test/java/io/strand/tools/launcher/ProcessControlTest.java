package io.strand.tools.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.SystemTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which processes {@code status} counts and {@code stop} signals: only a java process whose command
 * line holds the process's main class and this cluster's config file. Stand-in JVMs ({@link
 * FakeClusterProcess}) and a {@code sleep} play the cluster's processes and the unrelated ones that a
 * stale pid file may point at.
 */
@SystemTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ProcessControlTest {
    @TempDir
    Path tmp;

    private ClusterLayout layout;
    private int zkPort;
    private final List<Process> children = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        layout = new ClusterLayout(tmp.resolve("cluster"));
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            zkPort = s.getLocalPort(); // closed again: nothing serves there
        }
        Files.createDirectories(layout.pids());
        Files.createDirectories(layout.logs());
    }

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void shouldNeverSignalAnUnrelatedProcessOfAStalePidFile() throws Exception {
        writeCluster(2);
        // a pid reused by something else entirely
        Process sleep = start(List.of("sleep", "600"));
        recordPid(layout.zooKeeper(), sleep);
        // a broker of another cluster dir
        Process otherCluster =
                startFake(ClusterLayout.BROKER_MAIN, tmp.resolve("other").resolve("broker-1/server.properties"));
        recordPid(layout.broker(1), otherCluster);
        // this cluster's config file, but not the broker's main class
        Process otherMain = startFake(ClusterLayout.ZOOKEEPER_MAIN, layout.brokerProperties(2));
        recordPid(layout.broker(2), otherMain);

        LauncherResult status = run("status", "--dir", layout.dir().toString());
        assertEquals(LocalCluster.NOTHING_RUNS, status.exit(), status::toString);
        assertTrue(
                status.out().matches("(?s)zookeeper\\s+stopped\\s+127\\.0\\.0\\.1:" + zkPort + "\n.*"),
                status::toString);
        assertTrue(status.out().contains("broker 1   stopped"), status::toString);
        assertTrue(status.out().contains("broker 2   stopped"), status::toString);

        LauncherResult stop = run("stop", "--dir", layout.dir().toString(), "--timeout", "1");
        assertEquals(LocalCluster.OK, stop.exit(), stop::toString);
        assertEquals(
                "broker 1: not running\nbroker 2: not running\nzookeeper: not running\n" + "cluster in " + layout.dir()
                        + " stopped (data kept)\n",
                stop.err(),
                stop::toString);
        for (ClusterProcess p : List.of(layout.zooKeeper(), layout.broker(1), layout.broker(2))) {
            assertFalse(Files.exists(p.pidFile()), "the stale " + p.pidFile() + " is removed");
        }
        // stop has returned without sending anything: the three still run
        assertTrue(sleep.isAlive(), "sleep was signalled");
        assertTrue(otherCluster.isAlive(), "the other cluster's broker was signalled");
        assertTrue(otherMain.isAlive(), "the process with another main class was signalled");
    }

    @Test
    void shouldStopItsOwnProcessesWithSigtermThenSigkill() throws Exception {
        writeCluster(1);
        Process broker = startFake(ClusterLayout.BROKER_MAIN, layout.brokerProperties(1));
        recordPid(layout.broker(1), broker);
        Process zookeeper = startFake("--ignore-sigterm", ClusterLayout.ZOOKEEPER_MAIN, layout.zooKeeperConfig());
        recordPid(layout.zooKeeper(), zookeeper);

        LauncherResult status = run("status", "--dir", layout.dir().toString());
        assertEquals(LocalCluster.OK, status.exit(), status::toString);
        assertTrue(
                status.out()
                        .contains(String.format(
                                "zookeeper  running  pid %-8s 127.0.0.1:%-6s not serving yet",
                                zookeeper.pid(), zkPort)),
                status::toString);
        assertTrue(status.out().contains("broker 1   running  pid " + broker.pid()), status::toString);

        LauncherResult stop = run("stop", "--dir", layout.dir().toString(), "--timeout", "2");
        assertEquals(LocalCluster.OK, stop.exit(), stop::toString);
        assertEquals(
                "broker 1: stopping (pid " + broker.pid() + ")\n"
                        + "broker 1: stopped\n"
                        + "zookeeper: stopping (pid " + zookeeper.pid() + ")\n"
                        + "zookeeper: still running after 2s, sending SIGKILL (pid " + zookeeper.pid() + ")\n"
                        + "zookeeper: stopped\n"
                        + "cluster in " + layout.dir() + " stopped (data kept)\n",
                stop.err(),
                stop::toString);
        assertTrue(broker.waitFor(30, TimeUnit.SECONDS));
        assertEquals(128 + 15, broker.exitValue(), "the broker ended on SIGTERM");
        assertTrue(zookeeper.waitFor(30, TimeUnit.SECONDS));
        assertEquals(128 + 9, zookeeper.exitValue(), "ZooKeeper ended on SIGKILL");
        assertFalse(Files.exists(layout.broker(1).pidFile()));
        assertFalse(Files.exists(layout.zooKeeper().pidFile()));

        LauncherResult stopped = run("status", "--dir", layout.dir().toString());
        assertEquals(LocalCluster.NOTHING_RUNS, stopped.exit(), stopped::toString);
    }

    // ------------------------------------------------------------------ helpers

    private LauncherResult run(String... args) {
        return LauncherResult.run(tmp, args);
    }

    private void writeCluster(int brokers) throws Exception {
        ClusterFiles files = new ClusterFiles(layout);
        files.writeConf(brokers, zkPort, 29092);
        files.writeZooKeeperConfig(zkPort);
        for (int id = 1; id <= brokers; id++) {
            files.writeBrokerProperties(id, 29091 + id, zkPort, brokers);
        }
    }

    private void recordPid(ClusterProcess p, Process process) throws IOException {
        Files.writeString(p.pidFile(), process.pid() + "\n");
    }

    private Process start(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        children.add(p);
        return p;
    }

    /** A JVM whose command line holds {@code args}; returns once it is set up. */
    private Process startFake(Object... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                FakeClusterProcess.class.getName()));
        for (Object a : args) {
            command.add(a.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // the classpath in the environment: the command line stays short enough to be read whole
        pb.environment()
                .put(
                        "CLASSPATH",
                        Path.of(FakeClusterProcess.class
                                        .getProtectionDomain()
                                        .getCodeSource()
                                        .getLocation()
                                        .toURI())
                                .toString());
        Process p = pb.start();
        children.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertEquals("ready", line, "the stand-in JVM " + command + " did not start");
        return p;
    }
}
