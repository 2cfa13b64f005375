package io.strand.server.group;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ConsumerProcess} (or any process printing lines like it, e.g. kcat) seen from the test:
 * what it consumed, what it owns now, and ways to stop it cleanly or kill it. Thread-safe.
 */
final class ChildConsumer implements AutoCloseable {
    final String name;
    private final Process process;
    private final List<String> values = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private Set<Integer> owned = Set.of();
    private boolean closed;

    private ChildConsumer(String name, Process process, boolean kcat) {
        this.name = name;
        this.process = process;
        Thread reader = new Thread(() -> read(kcat), "reader-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** A Java consumer in a child JVM. */
    static ChildConsumer java(
            String name, String bootstrap, String group, String topic, String assignorClass, int sessionTimeoutMs)
            throws IOException {
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms32m",
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                ConsumerProcess.class.getName(),
                bootstrap,
                group,
                topic,
                assignorClass,
                Integer.toString(sessionTimeoutMs));
        return new ChildConsumer(
                name,
                new ProcessBuilder(cmd)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start(),
                false);
    }

    /** kcat in balanced-consumer mode, printing each value on its own line. */
    static ChildConsumer kcat(String name, String bootstrap, String group, String topic) throws IOException {
        List<String> cmd = List.of(
                "kcat",
                "-b",
                bootstrap,
                "-G",
                group,
                topic,
                "-f",
                "R %s\\n",
                "-X",
                "auto.offset.reset=earliest",
                "-X",
                "session.timeout.ms=6000",
                "-X",
                "heartbeat.interval.ms=500",
                "-X",
                "enable.auto.commit=true",
                "-X",
                "auto.commit.interval.ms=200",
                "-u",
                "-q");
        return new ChildConsumer(
                name,
                new ProcessBuilder(cmd)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start(),
                true);
    }

    private void read(boolean kcat) {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (this) {
                    if (line.startsWith("R ")) {
                        values.add(line.substring(2));
                    } else if (line.startsWith("A ")) {
                        Set<Integer> now = new TreeSet<>();
                        String list = line.substring(3, line.length() - 1);
                        if (!list.isEmpty()) {
                            for (String p : list.split(",")) {
                                now.add(Integer.parseInt(p));
                            }
                        }
                        owned = now;
                    } else if (line.startsWith("COMMIT_FAILED")) {
                        problems.add(line);
                    } else if (line.equals("CLOSED")) {
                        closed = true;
                    }
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    synchronized List<String> values() {
        return new ArrayList<>(values);
    }

    synchronized Set<Integer> owned() {
        return owned;
    }

    synchronized List<String> problems() {
        return new ArrayList<>(problems);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Asks the consumer to close (leaving its group) and waits for it to exit. */
    void stop() throws Exception {
        try (OutputStream in = process.getOutputStream()) {
            in.write("stop\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " did not stop");
        }
    }

    /** SIGTERM (kcat leaves its group on it). */
    void terminate() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " did not end on SIGTERM");
        }
    }

    /** kill -9. */
    void kill() throws Exception {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    synchronized boolean closedCleanly() {
        return closed;
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            kill();
        }
    }
}
