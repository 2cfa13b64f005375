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
    private final List<Owned> history = new ArrayList<>();
    private long killedAtNanos;

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

    /** A Java consumer of the KIP-848 protocol ({@code group.protocol=consumer}) in a child JVM. */
    static ChildConsumer javaConsumerProtocol(
            String name, String bootstrap, String group, String topic, String remoteAssignor) throws IOException {
        return java(name, bootstrap, group, topic, ConsumerProcess.CONSUMER_PROTOCOL + remoteAssignor, 0);
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
                        String list = line.substring(line.indexOf('[') + 1, line.indexOf(']'));
                        if (!list.isEmpty()) {
                            for (String p : list.split(",")) {
                                now.add(Integer.parseInt(p));
                            }
                        }
                        owned = now;
                        String at = line.substring(line.indexOf(']') + 1).trim();
                        history.add(new Owned(at.isEmpty() ? System.nanoTime() : Long.parseLong(at), now));
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

    /** The partitions the consumer owned from {@code atNanos} (System.nanoTime) on. */
    record Owned(long atNanos, Set<Integer> partitions) {}

    /** Every assignment change the consumer reported, oldest first; it owns nothing after a kill -9. */
    synchronized List<Owned> ownershipHistory() {
        List<Owned> out = new ArrayList<>(history);
        if (killedAtNanos != 0) {
            out.removeIf(o -> o.atNanos() > killedAtNanos);
            out.add(new Owned(killedAtNanos, Set.of()));
        }
        return out;
    }

    /**
     * Fails if two consumers owned one partition at the same moment: their reported assignment
     * changes replayed in the order of the machine's monotonic clock.
     */
    static void assertNeverOwnedTwice(List<ChildConsumer> consumers) {
        record Event(long at, ChildConsumer who, Set<Integer> partitions) {}
        List<Event> events = new ArrayList<>();
        for (ChildConsumer c : consumers) {
            c.ownershipHistory().forEach(o -> events.add(new Event(o.atNanos(), c, o.partitions())));
        }
        events.sort(java.util.Comparator.comparingLong(Event::at));
        java.util.Map<ChildConsumer, Set<Integer>> now = new java.util.HashMap<>();
        for (Event e : events) {
            now.put(e.who(), e.partitions());
            java.util.Map<Integer, String> owner = new java.util.HashMap<>();
            for (java.util.Map.Entry<ChildConsumer, Set<Integer>> o : now.entrySet()) {
                for (int p : o.getValue()) {
                    String before = owner.put(p, o.getKey().name);
                    if (before != null) {
                        throw new AssertionError("partition " + p + " owned by " + before + " and " + o.getKey().name
                                + " at once (" + now + ")");
                    }
                }
            }
        }
    }

    /** Waits up to {@code within} until the consumers own all {@code partitions} partitions once, each at least one. */
    static void awaitAssignment(List<ChildConsumer> consumers, int partitions, java.time.Duration within)
            throws InterruptedException {
        io.strand.testing.Wait.waitUntil(
                "the partitions are spread over " + consumers.size() + " consumers",
                within,
                () -> {
                    Set<Integer> union = new TreeSet<>();
                    int total = 0;
                    for (ChildConsumer x : consumers) {
                        if (x.owned().isEmpty()) {
                            return false;
                        }
                        union.addAll(x.owned());
                        total += x.owned().size();
                    }
                    return union.size() == partitions && total == partitions;
                },
                () -> ownership(consumers));
    }

    /** Waits up to {@code within} until the consumers together have read values 0..count-1 (GroupTesting.produce's). */
    static void awaitConsumed(List<ChildConsumer> consumers, int count, java.time.Duration within)
            throws InterruptedException {
        io.strand.testing.Wait.waitUntil(
                count + " records consumed",
                within,
                () -> consumedAgainst(consumers, count).lost().isEmpty(),
                () -> {
                    List<io.strand.testing.ProduceConsumeValidator.Entry> missing =
                            consumedAgainst(consumers, count).lost();
                    return missing.size() + " missing, e.g. "
                            + missing.stream().limit(20).toList() + "; " + ownership(consumers);
                });
    }

    /**
     * What the consumers read against what was produced: GroupTesting.produce sends values
     * 0..produced-1 (without keys) and returns once every one is acknowledged.
     */
    static io.strand.testing.ProduceConsumeValidator consumedAgainst(List<ChildConsumer> consumers, int produced) {
        io.strand.testing.ProduceConsumeValidator v = new io.strand.testing.ProduceConsumeValidator();
        for (int i = 0; i < produced; i++) {
            v.acknowledged(io.strand.testing.ProduceConsumeValidator.NO_KEY, Integer.toString(i));
        }
        for (ChildConsumer x : consumers) {
            x.values().forEach(value -> v.consumed(io.strand.testing.ProduceConsumeValidator.NO_KEY, value));
        }
        return v;
    }

    /** Who owns what now, for failure messages. */
    static String ownership(List<ChildConsumer> consumers) {
        StringBuilder sb = new StringBuilder("partitions owned:");
        for (ChildConsumer x : consumers) {
            sb.append(' ')
                    .append(x.name)
                    .append(x.isAlive() ? "" : " (ended)")
                    .append('=')
                    .append(x.owned());
        }
        return sb.toString();
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
        synchronized (this) {
            killedAtNanos = System.nanoTime();
        }
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    synchronized boolean closedCleanly() {
        return closed;
    }

    @Override
    public String toString() {
        return name;
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            kill();
        }
    }
}
