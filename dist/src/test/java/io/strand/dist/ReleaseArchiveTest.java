package io.strand.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.SystemTest;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive on several "hosts": {@code bin/strand-release-test} runs a 3-server ZooKeeper
 * ensemble and three brokers, each process on a loopback address of its own, from the archive laid out
 * by {@link ReleaseLayout} with the assembly descriptor {@code mvn package} uses, and checks an RF=3
 * topic's leaders and ISRs, records produced and read back, and a broker killed with {@code kill -9}.
 *
 * <p>The test runs during {@code mvn test} (what CI runs), when no module is packaged yet: hence the
 * layout from the descriptor and the runtime classpath rather than the tar.gz itself, which the same
 * script tests when run by hand ({@code bin/strand-release-test} builds and unpacks it). Whatever the
 * script started is stopped by the script's own exit trap; processes still alive after it (the script
 * killed, or its trap cut short) are killed here by their pid files, when their command line names this
 * test's scratch dir.
 */
class ReleaseArchiveTest {
    private static final long SCRIPT_SECONDS = 330;

    @TempDir
    Path tmp;

    @Test
    @SystemTest
    @Timeout(value = 7, unit = TimeUnit.MINUTES)
    void shouldRunAnEnsembleAndThreeBrokersOnAddressesOfTheirOwnFromTheArchive() throws Exception {
        Path release = ReleaseLayout.layOut(descriptor(), version(), runtimeClasspath(), tmp.resolve("archive"));
        assertEquals("strand-" + version(), release.getFileName().toString());

        Path work = tmp.resolve("work");
        Path output = tmp.resolve("strand-release-test.out");
        Process script = new ProcessBuilder(
                        repoRoot().resolve("bin/strand-release-test").toString(),
                        "--dir",
                        release.toString(),
                        "--work",
                        work.toString(),
                        "--timeout",
                        "120")
                .directory(tmp.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        List<ProcessHandle> started = new ArrayList<>();
        int exit;
        try {
            if (!script.waitFor(SCRIPT_SECONDS, TimeUnit.SECONDS)) {
                script.descendants().forEach(started::add);
                script.destroy(); // SIGTERM: the script's trap stops what it started
                script.waitFor(40, TimeUnit.SECONDS);
            }
            exit = script.isAlive() ? -1 : script.exitValue();
        } finally {
            script.destroyForcibly();
            killLeftovers(work, started);
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        System.out.println(out);
        assertEquals(0, exit, "bin/strand-release-test exited " + exit + ":\n" + out);
        List<String> lines = out.strip().lines().toList();
        assertTrue(lines.get(lines.size() - 1).startsWith("release test passed: strand-" + version()), out);
    }

    @Test
    void shouldRefuseADescriptorElementItDoesNotLayOut() throws Exception {
        String xml = Files.readString(descriptor())
                .replace(
                        "<includeBaseDirectory>",
                        "<includeSiteDirectory>false</includeSiteDirectory>\n  <includeBaseDirectory>");
        Path module = tmp.resolve("module");
        Path changed = module.resolve("src/assembly/release.xml");
        Files.createDirectories(changed.getParent());
        Files.writeString(changed, xml);
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> ReleaseLayout.layOut(changed, version(), runtimeClasspath(), tmp.resolve("archive")));
        assertTrue(e.getMessage().contains("<includeSiteDirectory>"), e.getMessage());
    }

    /** Kills what outlived the script: its descendants seen before it ended, and the pids it recorded. */
    private static void killLeftovers(Path work, List<ProcessHandle> started) throws IOException {
        List<ProcessHandle> candidates = new ArrayList<>(started);
        Path pids = work.resolve("pids");
        if (Files.isDirectory(pids)) {
            try (Stream<Path> files = Files.list(pids)) {
                for (Path f : files.toList()) {
                    String text = Files.readString(f).strip();
                    if (text.matches("[0-9]+")) {
                        ProcessHandle.of(Long.parseLong(text)).ifPresent(candidates::add);
                    }
                }
            }
        }
        for (ProcessHandle h : candidates) {
            boolean ours =
                    h.info().commandLine().map(c -> c.contains(work.toString())).orElse(false);
            if (h.isAlive() && ours) {
                System.out.println("killing leftover pid " + h.pid() + ": "
                        + h.info().commandLine().orElse("?"));
                h.destroyForcibly();
            }
        }
    }

    private static Path descriptor() {
        return Path.of(System.getProperty("strand.release.descriptor", "src/assembly/release.xml"));
    }

    private static Path runtimeClasspath() {
        return Path.of(System.getProperty("strand.release.classpath", "target/release-classpath.txt"));
    }

    private static String version() {
        String v = System.getProperty("strand.release.version");
        if (v == null) {
            throw new IllegalStateException("run through Maven: strand.release.version is not set");
        }
        return v;
    }

    /** The test runs in dist/; the repo root is the first parent holding bin/strand-release-test. */
    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("bin/strand-release-test"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "no bin/strand-release-test above " + Path.of("").toAbsolutePath());
    }
}
