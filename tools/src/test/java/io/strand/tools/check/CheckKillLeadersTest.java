package io.strand.tools.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.strand.testing.SystemTest;
import io.strand.tools.launcher.TestClasspath;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/strand check --kill-leaders} as a user runs it: {@code bin/strand-cluster start} brings
 * up ZooKeeper and three brokers as processes, and the check, a process too, kills the leader of a
 * partition with SIGKILL twice while it writes, restarts each killed broker through the launcher, and
 * passes: nothing acknowledged lost, nothing duplicated or reordered.
 *
 * <p>The scripts run with this test's classpath (STRAND_SERVER_CLASSPATH, STRAND_TOOLS_CLASSPATH),
 * as the launcher's script tests do; the brokers the check restarts inherit it.
 */
@SystemTest
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CheckKillLeadersTest {
    private static final int BROKERS = 3;
    private static final int KILLS = 2;

    @TempDir
    Path tmp;

    private Path dir;

    @AfterEach
    void stopCluster() throws Exception {
        if (dir != null && Files.isDirectory(dir.resolve("pids"))) {
            run("strand-cluster", "stop", "--dir", dir.toString(), "--timeout", "10");
        }
    }

    @Test
    void shouldPassWhileLeadersAreKilledAndRestarted() throws Exception {
        dir = tmp.resolve("cluster");
        int[] ports = freePorts();
        Result start = run(
                "strand-cluster",
                "start",
                "--brokers",
                String.valueOf(BROKERS),
                "--dir",
                dir.toString(),
                "--zk-port",
                String.valueOf(ports[0]),
                "--base-port",
                String.valueOf(ports[1]));
        assertEquals(0, start.code(), start::toString);
        String bootstrap = start.out().strip();

        Result check = run(
                "strand",
                "check",
                "--bootstrap-server",
                bootstrap,
                "--dir",
                dir.toString(),
                "--kill-leaders",
                String.valueOf(KILLS),
                "--duration",
                "8s",
                "--rate",
                "300",
                "--json");
        assertEquals(0, check.code(), check::toString);
        JsonObject summary = JsonParser.parseString(check.out()).getAsJsonObject();
        List<JsonElement> kills = summary.getAsJsonArray("kills").asList();
        assertEquals(KILLS, kills.size(), check::toString);
        for (JsonElement k : kills) {
            JsonObject kill = k.getAsJsonObject();
            assertTrue(kill.get("error").isJsonNull(), check::toString);
            assertTrue(kill.get("newLeader").getAsInt() != kill.get("broker").getAsInt(), check::toString);
            assertTrue(kill.get("inSyncMs").getAsLong() > 0, check::toString);
        }
        assertTrue(summary.get("acknowledged").getAsLong() > 1000, check::toString);
        assertEquals(0, summary.get("lost").getAsLong(), check::toString);
        assertEquals(0, summary.get("duplicated").getAsLong(), check::toString);
        assertEquals(0, summary.get("outOfOrder").getAsLong(), check::toString);
        assertTrue(check.err().contains("kill 1 at "), check::toString);

        // the killed brokers run again, from the cluster dir
        Result status = run("strand-cluster", "status", "--dir", dir.toString());
        assertEquals(0, status.code(), status::toString);
    }

    private record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs {@code bin/SCRIPT ARGS} from the repository root with this test's classpath. */
    private Result run(String script, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(repoRoot().resolve("bin").resolve(script).toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(tmp.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        String classpath = TestClasspath.runtime();
        pb.environment().put("STRAND_SERVER_CLASSPATH", classpath);
        pb.environment().put("STRAND_TOOLS_CLASSPATH", classpath);
        pb.environment().put("STRAND_HEAP_OPTS", "-Xms64m -Xmx512m");
        pb.environment().put("STRAND_ZK_HEAP_OPTS", "-Xms32m -Xmx256m");
        pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        System.out.println("$ bin/" + script + " " + String.join(" ", args) + "\n" + r);
        return r;
    }

    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("bin/strand-cluster")) && Files.exists(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "no bin/strand-cluster above " + Path.of("").toAbsolutePath());
    }

    /** A free ZooKeeper port and BROKERS consecutive free broker ports, away from 2181 and 9092. */
    private static int[] freePorts() throws IOException {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int zk = rnd.nextInt(10_000, 20_000);
            // below the ephemeral range (Linux: 32768-60999), where outgoing connections take ports at any time
            int base = rnd.nextInt(20_000, 32_000);
            boolean free = isFree(zk);
            for (int i = 0; i < BROKERS && free; i++) {
                free = isFree(base + i) && isFree(base + i + 100); // and its HTTP listener
            }
            if (free) {
                return new int[] {zk, base};
            }
        }
        throw new IOException("no free ports found");
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }
}
