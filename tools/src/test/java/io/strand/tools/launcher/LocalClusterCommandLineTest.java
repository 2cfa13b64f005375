package io.strand.tools.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launcher's command line, in process and without starting anything: the messages and exit codes
 * of the shell script it replaced, the usage, and the checks of {@code start} that come before any
 * process is started.
 */
class LocalClusterCommandLineTest {
    @TempDir
    Path tmp;

    private LauncherResult run(String... args) {
        return LauncherResult.run(tmp, args);
    }

    static Stream<Arguments> usageErrors() {
        return Stream.of(
                Arguments.of(List.of("start", "--bogus"), "unknown argument: --bogus (see --help)"),
                Arguments.of(List.of("frobnicate"), "unknown argument: frobnicate (see --help)"),
                Arguments.of(List.of("start", "-x"), "unknown argument: -x (see --help)"),
                Arguments.of(List.of("start", "stop"), "one command at a time (start, stop)"),
                Arguments.of(List.of("status", "status"), "one command at a time (status, status)"),
                Arguments.of(List.of("start", "--brokers"), "--brokers needs a value"),
                Arguments.of(List.of("start", "--dir"), "--dir needs a value"),
                Arguments.of(List.of("start", "--dir", ""), "--dir needs a value"),
                Arguments.of(List.of("start", "--timeout="), "--timeout needs a value"),
                Arguments.of(List.of("start", "--brokers", "0"), "--brokers must be a number from 1 to 99: 0"),
                Arguments.of(List.of("start", "--brokers=100"), "--brokers must be a number from 1 to 99: 100"),
                Arguments.of(List.of("start", "--brokers", "three"), "--brokers must be a number from 1 to 99: three"),
                Arguments.of(List.of("start", "--brokers", "-1"), "--brokers must be a number from 1 to 99: -1"),
                Arguments.of(List.of("start", "--zk-port", "0"), "not a port: 0"),
                Arguments.of(List.of("start", "--base-port", "65536"), "not a port: 65536"),
                Arguments.of(
                        List.of("start", "--base-port", "99999999999999999999"), "not a port: 99999999999999999999"),
                Arguments.of(List.of("start", "--timeout", "0"), "--timeout must be a positive number of seconds: 0"),
                Arguments.of(
                        List.of("stop", "--timeout", "1.5"), "--timeout must be a positive number of seconds: 1.5"),
                Arguments.of(
                        List.of("status", "--brokers", "3"), "--brokers, --zk-port and --base-port belong to start"),
                Arguments.of(List.of("stop", "--zk-port=2181"), "--brokers, --zk-port and --base-port belong to start"),
                Arguments.of(List.of("status", "--secure"), "--secure belongs to start"),
                Arguments.of(List.of("stop", "--secure"), "--secure belongs to start"),
                // as in the script, a flag takes the next word as its value, whatever it is
                Arguments.of(List.of("--brokers", "--dir", "x", "start"), "unknown argument: x (see --help)"));
    }

    @ParameterizedTest
    @MethodSource("usageErrors")
    void shouldExit2WithTheScriptsMessage(List<String> args, String message) {
        LauncherResult r = run(args.toArray(String[]::new));
        assertEquals(LocalCluster.USAGE, r.exit(), r::toString);
        assertEquals("strand-cluster: " + message + "\n", r.err(), r::toString);
        assertEquals("", r.out(), r::toString);
    }

    @Test
    void shouldPrintTheUsageOnStderrWithoutACommand() {
        for (String[] args : new String[][] {{}, {"--dir", "x"}, {"--timeout", "5"}}) {
            LauncherResult r = run(args);
            assertEquals(LocalCluster.USAGE, r.exit(), r::toString);
            assertEquals(LocalCluster.USAGE_TEXT, r.err(), r::toString);
            assertEquals("", r.out(), r::toString);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-h", "--help", "help"})
    void shouldPrintTheUsageOnStdoutForHelp(String help) {
        for (String[] args : new String[][] {{help}, {"start", help}, {help, "stop"}}) {
            LauncherResult r = run(args);
            assertEquals(LocalCluster.OK, r.exit(), r::toString);
            assertEquals(LocalCluster.USAGE_TEXT, r.out(), r::toString);
            assertEquals("", r.err(), r::toString);
        }
    }

    @Test
    void shouldHaveTheScriptsHeaderAsUsage() throws IOException {
        Path script = repoRoot().resolve("bin/strand-cluster");
        List<String> lines = Files.readAllLines(script);
        int end = 1;
        while (!lines.get(end).startsWith("set -euo")) {
            end++;
        }
        String header = lines.subList(1, end).stream()
                .map(l -> l.replaceFirst("^# ?", ""))
                .collect(Collectors.joining("\n", "", "\n"));
        assertEquals(header, LocalCluster.USAGE_TEXT, "the header of " + script + " and LocalCluster.USAGE_TEXT");
    }

    @Test
    void shouldTakeTheLastOfARepeatedFlagAndTheEqualsForm() throws IOException {
        LauncherResult r = run("status", "--dir", "first", "--dir=second");
        assertEquals(LocalCluster.NOTHING_RUNS, r.exit(), r::toString);
        assertEquals("no cluster in " + tmp.resolve("second") + "\n", r.err(), r::toString);
    }

    @Test
    void shouldReportNoClusterInAnEmptyDir() {
        LauncherResult status = run("status", "--dir", "./none/./here");
        assertEquals(LocalCluster.NOTHING_RUNS, status.exit(), status::toString);
        assertEquals("no cluster in " + tmp.resolve("none/here") + "\n", status.err(), status::toString);
        assertEquals("", status.out(), status::toString);

        LauncherResult stop = run("stop", "--dir", "none");
        assertEquals(LocalCluster.OK, stop.exit(), stop::toString);
        assertEquals("no cluster in " + tmp.resolve("none") + ": nothing to stop\n", stop.err(), stop::toString);
        assertFalse(Files.exists(tmp.resolve("none")), "status and stop create nothing");
    }

    @Test
    void shouldRefuseAnotherZooKeeperPortThanRecorded() throws IOException {
        Path dir = tmp.resolve("cluster");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cluster.conf"), "brokers=3\nzk.port=22181\nbase.port=29092\n");
        LauncherResult r = run("start", "--dir", dir.toString(), "--zk-port", "22182");
        assertEquals(LocalCluster.FAILED, r.exit(), r::toString);
        assertEquals(
                "strand-cluster: cluster dir " + dir + "\nstrand-cluster: " + dir
                        + " was set up with ZooKeeper on port 22181, not 22182 (use another --dir)\n",
                r.err(),
                r::toString);
        LauncherResult base = run("start", "--dir", dir.toString(), "--zk-port", "22181", "--base-port", "29093");
        assertEquals(LocalCluster.FAILED, base.exit(), base::toString);
        assertTrue(
                base.err()
                        .endsWith("strand-cluster: " + dir
                                + " was set up with brokers from port 29092, not 29093 (use another --dir)\n"),
                base::toString);
        assertEquals("", r.out() + base.out());
    }

    @Test
    void shouldRefuseToSecureADirSetUpWithoutSecure() throws IOException {
        Path dir = tmp.resolve("plain");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cluster.conf"), "brokers=1\nzk.port=22181\nbase.port=29092\n");
        LauncherResult r = run("start", "--secure", "--dir", dir.toString());
        assertEquals(LocalCluster.FAILED, r.exit(), r::toString);
        assertTrue(
                r.err().endsWith("strand-cluster: " + dir + " was set up without --secure (use another --dir)\n"),
                r::toString);
        assertFalse(Files.exists(dir.resolve("security")), r::toString);
    }

    @Test
    void shouldGenerateTheSecurityFilesOfASecureStartAndRecordIt() throws Exception {
        Path dir = tmp.resolve("secure");
        LauncherResult r = run("start", "--secure", "--brokers", "2", "--dir", dir.toString());
        // nothing can start in process (no strand.home); the files come first
        assertEquals(LocalCluster.FAILED, r.exit(), r::toString);
        assertEquals("", r.out(), r::toString);
        assertEquals(Optional.of("true"), ClusterLayout.value(dir.resolve("cluster.conf"), "secure"));
        SecureClusterFiles files = new SecureClusterFiles(new ClusterLayout(dir));
        for (Path f : List.of(
                files.caKeystore(),
                files.truststore(),
                files.brokerKeystore(1),
                files.brokerKeystore(2),
                files.zooKeeperDigest(),
                dir.resolve("client-admin.properties"))) {
            assertTrue(Files.isRegularFile(f), f + "\n" + r);
        }
        for (String secret : List.of(files.adminPassword(), files.brokerPassword(), files.truststorePassword())) {
            assertFalse(r.err().contains(secret), "a password in the output:\n" + r);
        }

        // a start without --secure on that dir stays secure
        LauncherResult again = run("start", "--dir", dir.toString());
        assertEquals(Optional.of("true"), ClusterLayout.value(dir.resolve("cluster.conf"), "secure"), again::toString);
    }

    @Test
    void shouldRefuseBrokerPortsPast65535() {
        LauncherResult r = run("start", "--dir", "c", "--base-port", "65535", "--brokers", "2");
        assertEquals(LocalCluster.FAILED, r.exit(), r::toString);
        assertTrue(r.err().endsWith("strand-cluster: broker ports would pass 65535\n"), r::toString);
        LauncherResult http = run("start", "--dir", "c", "--base-port", "65435", "--brokers", "2");
        assertEquals(LocalCluster.FAILED, http.exit(), http::toString);
        assertTrue(
                http.err().endsWith("strand-cluster: broker HTTP ports (Kafka port + 100) would pass 65535\n"),
                http::toString);
    }

    @Test
    void shouldRefuseADirAnotherCommandWorksOn() throws Exception {
        Path dir = tmp.resolve("locked");
        Files.createDirectories(dir.resolve("pids"));
        try (DirLock held = DirLock.acquire(dir.resolve(".lock"), dir)) {
            for (String command : List.of("start", "stop")) {
                LauncherResult r = run(command, "--dir", dir.toString());
                assertEquals(LocalCluster.FAILED, r.exit(), r::toString);
                assertTrue(
                        r.err().endsWith("strand-cluster: another strand-cluster command is working on " + dir + "\n"),
                        r::toString);
            }
        }
        LauncherResult free = run("stop", "--dir", dir.toString());
        assertEquals(LocalCluster.OK, free.exit(), free::toString);
    }

    @Test
    void shouldMakePathsAbsoluteWithoutResolvingThem() {
        Path cwd = Path.of("/home/me/work");
        assertEquals(Path.of("/home/me/work/strand-data"), LocalCluster.absolute(cwd, "./strand-data"));
        assertEquals(Path.of("/home/me/work/a/b"), LocalCluster.absolute(cwd, "a/./b/"));
        assertEquals(Path.of("/home/me/x/../y"), LocalCluster.absolute(cwd, "/home/me/x/../y"));
        assertEquals(Path.of("/data"), LocalCluster.absolute(cwd, "//data/."));
    }

    /** The test runs in tools/; the repo root is the first parent holding bin/strand-cluster. */
    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("bin/strand-cluster")) && Files.exists(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "no bin/strand-cluster above " + Path.of("").toAbsolutePath());
    }
}
