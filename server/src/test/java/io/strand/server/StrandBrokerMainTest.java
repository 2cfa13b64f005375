package io.strand.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.SystemTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker process refuses to start on a bad configuration, naming the key. */
@SystemTest // starts the broker main in a child JVM
class StrandBrokerMainTest {
    @TempDir
    Path dir;

    @Test
    void shouldExitNonZeroNamingTheKeyOfABadValue() throws Exception {
        Path props = dir.resolve("server.properties");
        Files.writeString(
                props,
                String.join(
                        "\n",
                        "broker.id=1",
                        "listeners=PLAINTEXT://127.0.0.1:0",
                        "log.dirs=" + dir.resolve("data"),
                        "zookeeper.connect=127.0.0.1:1/strand",
                        "min.insync.replicas=zero"));
        Process p = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        StrandBroker.class.getName(),
                        props.toString()))
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the broker exits by itself");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.exitValue(), output);
        assertTrue(output.contains("min.insync.replicas"), output);
        assertTrue(output.contains("zero"), output);
    }
}
