package io.strand.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the other clients tests drive (kcat, node, python3) as child processes. Stateless. */
public final class ExternalCommands {
    private ExternalCommands() {}

    /** Runs {@code command} with {@code stdin} (or none); fails unless it exits 0 within two minutes. */
    public static String run(List<String> command, String stdin) throws Exception {
        return run(command, stdin, Map.of());
    }

    /** As {@link #run(List, String)} with {@code env} added to the environment. */
    public static String run(List<String> command, String stdin, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        byte[] output = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished: " + command);
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), command + " failed:\n" + text);
        return text;
    }

    /** Whether {@code program} is an executable on PATH. */
    public static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
