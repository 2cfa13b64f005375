package io.strand.tools.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.SystemTest;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/strand-cluster} as the wrapper it now is, in a copy of the repository's {@code bin/}
 * whose project is not built yet, with a stand-in {@code mvn} on the PATH that takes its time and
 * then puts jars in place (jars whose manifest points at this test's classpath).
 *
 * <p>The point: the wrapper builds before it runs the launcher, and the launcher's {@code --timeout}
 * counts from its own start, so a slow build is not charged to it. ZooKeeper is made to hang (its JVM
 * waits for a debugger), so that {@code start} gives up after exactly its timeout; the test measures
 * from the end of the build.
 */
@SystemTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StrandClusterWrapperTest {
    private static final int BUILD_SECONDS = 6;
    private static final int TIMEOUT_SECONDS = 5;
    private static final String VERSION = "0.1.0-SNAPSHOT";

    @TempDir
    Path tmp;

    private Path home;
    private Path fakeBin;
    private Path buildOutput;
    private Path mvnLog;
    private Path buildDone;
    private Path clusterDir;
    private final Set<Long> pids = new LinkedHashSet<>();
    private int buildSeconds = BUILD_SECONDS;

    @BeforeEach
    void setUp() throws Exception {
        Path repo = LocalClusterCommandLineTest.repoRoot();
        home = tmp.resolve("home");
        for (String f : List.of(
                "bin/strand-cluster",
                "bin/strand-zookeeper",
                "bin/strand-broker",
                "bin/lib/strand-launch.sh",
                "zk-config/logback.xml")) {
            Files.createDirectories(home.resolve(f).getParent());
            Files.copy(repo.resolve(f), home.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
        }
        clusterDir = tmp.resolve("cluster");
        mvnLog = tmp.resolve("mvn.log");
        buildDone = tmp.resolve("build-done-ms");

        // what the build would produce: the jars the scripts look for, pointing at this test's classpath
        buildOutput = tmp.resolve("build-output");
        pathingJar(buildOutput.resolve("tools/target/strand-tools-" + VERSION + ".jar"));
        emptyJar(buildOutput.resolve("tools/target/lib/kafka-clients-0.jar"));
        pathingJar(buildOutput.resolve("server/target/strand-server-" + VERSION + ".jar"));
        emptyJar(buildOutput.resolve("server/target/lib/zookeeper-0.jar"));

        fakeBin = tmp.resolve("fake-bin");
        Files.createDirectories(fakeBin);
        Path mvn = fakeBin.resolve("mvn");
        Files.writeString(mvn, """
                #!/usr/bin/env bash
                # stand-in for Maven: records how it was called, takes its time, puts the jars in place
                { printf 'ARGS %s\\n' "$*"; printf 'MAVEN_OPTS %s\\n' "${MAVEN_OPTS:-}"; printf 'PWD %s\\n' "$PWD"; } >>"$FAKE_MVN_LOG"
                printf '[INFO] building\\n'
                sleep "$FAKE_MVN_SECONDS"
                cp -R "$FAKE_MVN_OUTPUT"/. "$PWD"/
                date +%s%3N >"$FAKE_MVN_DONE"
                """);
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void stopWhatWasStarted() throws Exception {
        if (Files.isDirectory(clusterDir.resolve("pids"))) {
            recordPids();
            run(List.of("stop", "--dir", clusterDir.toString(), "--timeout", "5"));
        }
        for (long pid : pids) {
            ProcessHandle.of(pid)
                    .filter(h -> h.info()
                            .commandLine()
                            .map(c -> c.contains(clusterDir.toString()))
                            .orElse(false))
                    .ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void shouldNotChargeTheBuildToTheStartTimeout() throws Exception {
        // --help needs no build
        Result help = run(List.of("--help"));
        assertEquals(0, help.exit, help::toString);
        assertEquals(LocalCluster.USAGE_TEXT, help.out, help::toString);
        assertFalse(Files.exists(mvnLog), "--help built the project");

        int zkPort = freePort();
        long before = System.currentTimeMillis();
        Result start = run(List.of(
                "start",
                "--dir",
                clusterDir.toString(),
                "--brokers",
                "1",
                "--zk-port",
                String.valueOf(zkPort),
                "--base-port",
                String.valueOf(freePort()),
                "--timeout",
                String.valueOf(TIMEOUT_SECONDS)));
        long after = System.currentTimeMillis();
        recordPids();

        // the build: once, quiet, in batch mode, without escapes and without the format check
        List<String> calls = Files.readAllLines(mvnLog);
        assertEquals(3, calls.size(), "mvn ran once: " + calls);
        List<String> args = List.of(calls.get(0).substring("ARGS ".length()).split(" "));
        assertTrue(
                args.containsAll(List.of("-B", "-q", "-Dspotless.check.skip=true", "-DskipTests", "package")),
                "mvn " + args);
        assertTrue(calls.get(1).contains("-Djansi.noreset=true"), calls.get(1));
        assertEquals("PWD " + home, calls.get(2));

        // ZooKeeper hangs: start gives up after its whole timeout, counted from when the build was done
        assertEquals(1, start.exit, start::toString);
        assertEquals("", start.out, start::toString);
        assertTrue(start.err.contains("building the project"), start::toString);
        assertTrue(
                start.err.contains("strand-cluster: zookeeper does not serve on 127.0.0.1:" + zkPort + " after "
                        + TIMEOUT_SECONDS + "s"),
                start::toString);
        long buildEnd = Long.parseLong(Files.readString(buildDone).strip());
        assertTrue(
                after - buildEnd >= TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS),
                "start gave up " + (after - buildEnd) + " ms after the build, before its " + TIMEOUT_SECONDS + " s");
        assertTrue(after - before >= TimeUnit.SECONDS.toMillis(BUILD_SECONDS + TIMEOUT_SECONDS), start::toString);
        assertFalse(start.err.contains("\u001b"), "terminal escapes in:\n" + start.err);
        assertFalse(start.err.contains("logback"), start::toString);

        // what runs keeps running after start gave up; stop ends it
        Result status = run(List.of("status", "--dir", clusterDir.toString()));
        assertEquals(1, status.exit, status::toString);
        assertTrue(
                status.out.matches("(?s)zookeeper\\s+running\\s+pid \\d+\\s+127\\.0\\.0\\.1:" + zkPort
                        + "\\s+not serving yet\n.*broker 1\\s+stopped.*"),
                status::toString);
        long zkPid = Long.parseLong(
                Files.readString(clusterDir.resolve("pids/zookeeper.pid")).strip());
        Result stop = run(List.of("stop", "--dir", clusterDir.toString(), "--timeout", "5"));
        assertEquals(0, stop.exit, stop::toString);
        assertTrue(stop.err.contains("zookeeper: stopped"), stop::toString);
        assertFalse(
                ProcessHandle.of(zkPid)
                        .flatMap(h -> h.info().arguments())
                        .map(a -> List.of(a).contains(ClusterLayout.ZOOKEEPER_MAIN))
                        .orElse(false),
                "ZooKeeper still runs after stop");
        assertEquals(1, Files.readAllLines(mvnLog).size() / 3, "the built project is not built again");
    }

    @Test
    void shouldBuildQuietlyOnStderrAndPassTheLaunchersUsageErrorsThrough() throws Exception {
        buildSeconds = 0;
        Result r = run(List.of("start", "--brokers", "100"));
        assertEquals(2, r.exit, r::toString);
        assertEquals(
                "strand-cluster: building the project (mvn -q -DskipTests package in " + home + ")...\n"
                        + "[INFO] building\n"
                        + "strand-cluster: --brokers must be a number from 1 to 99: 100\n",
                r.err,
                r::toString);
        assertEquals("", r.out, r::toString);
    }

    // ------------------------------------------------------------------ helpers

    private record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "stderr:\n" + err;
        }
    }

    private Result run(List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/strand-cluster").toString());
        command.addAll(args);
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(tmp.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        Map<String, String> env = pb.environment();
        env.remove("STRAND_SERVER_CLASSPATH");
        env.remove("STRAND_TOOLS_CLASSPATH");
        env.put("PATH", fakeBin + File.pathSeparator + env.getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("MAVEN_OPTS", "-Dsome.user.option=1");
        env.put("FAKE_MVN_LOG", mvnLog.toString());
        env.put("FAKE_MVN_SECONDS", String.valueOf(buildSeconds));
        env.put("FAKE_MVN_OUTPUT", buildOutput.toString());
        env.put("FAKE_MVN_DONE", buildDone.toString());
        env.put("STRAND_ZK_HEAP_OPTS", "-Xms16m -Xmx64m");
        // ZooKeeper's JVM waits for a debugger that never comes: it runs, but never serves
        env.put("STRAND_ZK_OPTS", "-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=127.0.0.1:0");
        System.out.println("$ bin/strand-cluster " + String.join(" ", args));
        Process p = pb.start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "bin/strand-cluster " + args + " did not finish");
        Result r = new Result(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        System.out.println(r);
        return r;
    }

    private void recordPids() throws IOException {
        Path dir = clusterDir.resolve("pids");
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    ClusterLayout.uint(Files.readString(f).strip()).ifPresent(pid -> pids.add(pid.longValue()));
                }
            }
        }
    }

    /** A jar without classes whose manifest puts this test's classpath on the classpath. */
    private static void pathingJar(Path jar) throws IOException {
        String classPath = List.of(TestClasspath.runtime().split(File.pathSeparator)).stream()
                .filter(s -> !s.isEmpty())
                .map(s -> Path.of(s).toAbsolutePath().toUri().toString())
                .collect(Collectors.joining(" "));
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        Files.createDirectories(jar.getParent());
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
    }

    private static void emptyJar(Path jar) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        Files.createDirectories(jar.getParent());
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
