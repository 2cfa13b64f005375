package io.strand.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@code main} run in a child JVM on this JVM's class path, for crash tests: every line it prints goes to a
 * handler (on a reader thread), a line starting with {@code READY} marks it ready, stderr goes to a file, and
 * {@link #kill} ends it with SIGKILL ({@link Process#destroyForcibly()}) — the process gets no chance to clean up.
 *
 * <p>Thread-safety: one test thread drives it; the handler runs on the reader thread.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Thread reader;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Path stderr;

    private ChildJvm(Process process, Path stderr, Consumer<String> onLine) {
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            if (line.startsWith("READY")) ready.countDown();
                            onLine.accept(line);
                        }
                    } catch (IOException e) {
                        // the pipe breaks when the child dies
                    }
                },
                "child-jvm-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code main} with {@code args} in a JVM with a 256 MiB heap and the C1 compiler (quick to start). */
    public static ChildJvm start(Class<?> main, Path stderr, Consumer<String> onLine, String... args)
            throws IOException {
        return start(main, List.of(), stderr, onLine, args);
    }

    /** As {@link #start(Class, Path, Consumer, String...)}, with {@code jvmOptions} (e.g. {@code -Dname=value}). */
    public static ChildJvm start(
            Class<?> main, List<String> jvmOptions, Path stderr, Consumer<String> onLine, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        return new ChildJvm(p, stderr, onLine);
    }

    /** Waits for its {@code READY} line; fails with its stderr when it does not come. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS))
            throw new AssertionError("The child JVM did not get ready in " + timeout + "; its stderr (" + stderr + "): "
                    + readQuietly());
    }

    public boolean isReady() {
        return ready.getCount() == 0;
    }

    /** SIGKILL, then waits for the process to be gone and for its last lines to be handled. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("The child JVM survived SIGKILL");
        reader.join(10_000);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }

    private String readQuietly() {
        try {
            return java.nio.file.Files.readString(stderr);
        } catch (IOException e) {
            return "(unreadable)";
        }
    }
}
