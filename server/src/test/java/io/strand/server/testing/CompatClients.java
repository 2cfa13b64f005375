package io.strand.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs a main class of the test tree in a child JVM with kafka-clients 3.9 in place of 4.x on the
 * class path (the jar the build copies to {@code target/compat-clients}), and returns what it printed.
 */
public final class CompatClients {
    private CompatClients() {}

    /** Runs {@code main} with kafka-clients 3.9; fails unless it exits 0 within two minutes and ran 3.9. */
    public static String run39(Class<?> main, String... args) throws Exception {
        Path jar39;
        try (var files = Files.list(Path.of("target", "compat-clients"))) {
            jar39 = files.filter(p -> p.getFileName().toString().startsWith("kafka-clients-3.9"))
                    .findFirst()
                    .orElseThrow();
        }
        String classpath = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .map(e -> e.contains("kafka-clients-4") ? jar39.toAbsolutePath().toString() : e)
                .collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath, main.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), main.getSimpleName() + " did not finish in 2 minutes");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("client 3.9"), "ran the 3.9 client: " + out);
        return out;
    }
}
