package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.ChildJvm;
import io.strand.testing.PowerCut;
import io.strand.testing.SystemTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invariant 6 through power cuts: {@link CrashRecoveryTest}'s child JVM (appends from 4 threads with fsync before
 * acknowledging, 64 KiB segments, checkpoints every 100 ms) journals its fsyncs ({@link SyncJournal}); after each
 * {@code kill -9} its log directory loses everything not fsynced ({@link PowerCut}), and the reopened log must still
 * hold every acknowledged batch byte for byte, read back end to end and end at a batch boundary.
 */
@SystemTest
class PowerCutRecoveryTest {
    private static final Logger log = LoggerFactory.getLogger(PowerCutRecoveryTest.class);
    static final int ROUNDS = 4;

    @TempDir
    Path tmp;

    @Test
    void shouldKeepEveryAcknowledgedBatchAcrossPowerCuts() throws Exception {
        Path dataDir = tmp.resolve("data");
        Path logDir = dataDir.resolve("crash-0");
        Path journal = tmp.resolve("sync-journal");
        Random rnd = new Random(20250101L);
        Map<Long, CrashRecoveryTest.Ack> acked = new TreeMap<>();
        long logBytesCut = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            List<CrashRecoveryTest.Ack> acks = new ArrayList<>();
            ChildJvm child = startChild(tmp, dataDir, journal, round, acks, List.of());
            child.awaitReady(Duration.ofSeconds(60));
            Thread.sleep(200 + rnd.nextInt(600)); // a random moment of the load (it waits for nothing)
            child.kill();
            synchronized (acks) {
                for (CrashRecoveryTest.Ack a : acks) acked.put(a.first(), a);
            }
            Map<Path, byte[]> indexesBefore = indexes(logDir);
            PowerCut.Report cut = PowerCut.rewind(journal, List.of(dataDir));
            logBytesCut += cut.bytesCut("log");
            log.info("Round {}: {} batches acknowledged so far; power cut: {}", round, acked.size(), cut);
            assertIndexesDurableBelowRecovery(logDir, indexesBefore, round, cut);
            CrashRecoveryTest.verify(logDir, acked, round);
            // what this JVM changed when it opened and checked the log is on disk now, as after a sync
            PowerCut.markDurable(journal, List.of(dataDir));
        }
        assertTrue(acked.size() > 100, "acknowledged batches: " + acked.size());
        log.info(
                "{} power cuts: {} acknowledged batches survived; {} bytes of log data were cut",
                ROUNDS,
                acked.size(),
                logBytesCut);
    }

    /**
     * {@link CrashChild} appending from 4 threads to {@code dataDir}, its fsyncs journaled to {@code syncJournal},
     * each acknowledged batch it prints added to {@code acks}; {@code jvmArgs} go to the child too.
     */
    static ChildJvm startChild(
            Path tmp, Path dataDir, Path syncJournal, int round, List<CrashRecoveryTest.Ack> acks, List<String> jvmArgs)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("-D" + SyncJournal.PROPERTY + "=" + syncJournal));
        args.addAll(jvmArgs);
        return ChildJvm.start(
                CrashChild.class,
                args,
                tmp.resolve("child-" + round + ".err"),
                line -> {
                    String[] f = line.split(" ");
                    if (f[0].equals("ACK") && f.length == 5 && f[4].equals("END")) {
                        synchronized (acks) {
                            acks.add(new CrashRecoveryTest.Ack(
                                    Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])));
                        }
                    }
                },
                dataDir.toString(),
                Long.toString(round),
                "4");
    }

    /**
     * The loader trusts the indexes of the segments below the one recovery starts from (it checks their last entries
     * only): the power cut must have left them as they were.
     */
    private static void assertIndexesDurableBelowRecovery(
            Path logDir, Map<Path, byte[]> before, int round, PowerCut.Report cut) throws Exception {
        TreeSet<Long> bases = new TreeSet<>();
        try (Stream<Path> files = Files.list(logDir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(LogSegment.LOG_SUFFIX))
                    .forEach(n -> bases.add(Long.parseLong(n.substring(0, n.indexOf('.')))));
        }
        long recoveryPoint = LogCheckpoints.read(logDir, "").recoveryPoint();
        long recoveryStart = LogLoader.recoveryStart(bases, recoveryPoint);
        for (long base : bases.headSet(recoveryStart, false)) {
            for (Path index :
                    List.of(SegmentIndexes.indexFile(logDir, base), SegmentIndexes.timeIndexFile(logDir, base))) {
                assertArrayEquals(
                        before.get(index),
                        Files.exists(index) ? Files.readAllBytes(index) : null,
                        "round " + round + ": the power cut changed " + index + ", which recovery from offset "
                                + recoveryStart + " (recovery point " + recoveryPoint + ") does not rebuild: "
                                + cut.actions());
            }
        }
    }

    private static Map<Path, byte[]> indexes(Path logDir) throws IOException {
        Map<Path, byte[]> out = new HashMap<>();
        if (!Files.isDirectory(logDir)) return out;
        try (Stream<Path> files = Files.list(logDir)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(SegmentIndexes.INDEX_SUFFIX) || n.endsWith(SegmentIndexes.TIME_INDEX_SUFFIX)) {
                    out.put(p, Files.readAllBytes(p));
                }
            }
        }
        return out;
    }
}
