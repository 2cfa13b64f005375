package io.strand.server.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Makes a Netty buffer leak fail the test: what {@link RecordingLeakDetector} reported in this JVM,
 * and what brokers in child JVMs logged. Netty finds a leak only when the garbage collector has
 * collected an unreleased buffer and a later allocation polls its queue; {@link #check} therefore
 * collects garbage and allocates a few buffers before it looks (a best effort, as Netty's detector
 * is; at level paranoid every allocation polls).
 *
 * <p>Threading: thread-safe; reports arrive on any thread, {@link #check} runs on the test thread.
 */
public final class NettyLeaks {
    /** The system property that names the custom detector class (read by Netty's default factory). */
    public static final String CUSTOM_DETECTOR_PROPERTY = "io.netty.customResourceLeakDetector";

    private static final List<String> reported = new ArrayList<>();

    private NettyLeaks() {}

    /**
     * For runs outside Maven (an IDE): installs the recording detector for detectors created from
     * now on and turns the level to paranoid, unless the surefire arguments already did both.
     */
    public static synchronized void install() {
        if (System.getProperty(CUSTOM_DETECTOR_PROPERTY) == null) {
            ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
                @Override
                @SuppressWarnings("deprecation")
                public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                        Class<T> resource, int samplingInterval, long maxActive) {
                    return new RecordingLeakDetector<>(resource, samplingInterval);
                }
            });
        }
        if (System.getProperty("io.netty.leakDetection.level") == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
    }

    static synchronized void reported(String leak) {
        reported.add(leak);
    }

    /** How many leaks are reported and not yet checked. */
    public static synchronized int pending() {
        return reported.size();
    }

    /** Leaks reported so far and not yet checked, oldest first; clears them. */
    public static synchronized List<String> drain() {
        List<String> out = new ArrayList<>(reported);
        reported.clear();
        return out;
    }

    /**
     * Collects garbage, lets Netty's detectors poll, and fails naming every leak reported since the
     * last check (in this JVM) plus every {@code LEAK:} line in {@code childLogs}.
     */
    public static void check(String where, List<Path> childLogs) throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(10); // the reference handler enqueues what the collection found
            ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(16);
            probe.release();
            Unpooled.directBuffer(16).release();
        }
        List<String> leaks = drain();
        for (Path log : childLogs) {
            leaks.addAll(leakLines(log));
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError(
                    leaks.size() + " Netty buffer leak(s) " + where + ":\n" + String.join("\n", leaks));
        }
    }

    private static List<String> leakLines(Path log) {
        if (!Files.exists(log)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.contains("LEAK:"))
                    .map(l -> log.getParent().getFileName() + ": " + l)
                    .toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }
}
