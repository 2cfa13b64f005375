package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.ChildJvm;
import io.strand.testing.PowerCut;
import io.strand.testing.SystemTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PowerCutRecoveryTest} with the write-ahead journal ({@link WriteAheadJournal}): the child's appends are
 * durable once the journal is fsynced, its segments are fsynced only at journal checkpoints (every 300 ms, 1 MiB
 * journal files), so a power cut takes much of the segments' unsynced data; opening the directory with the journal
 * replays it, and every acknowledged batch must be back, byte for byte, the log contiguous to its end.
 */
@SystemTest
class JournalPowerCutTest {
    private static final Logger log = LoggerFactory.getLogger(JournalPowerCutTest.class);

    @TempDir
    Path tmp;

    @Test
    void shouldReplayEveryAcknowledgedBatchFromTheJournalAfterPowerCuts() throws Exception {
        Path dataDir = tmp.resolve("data");
        Path logDir = dataDir.resolve("crash-0");
        Path syncJournal = tmp.resolve("sync-journal");
        Random rnd = new Random(20261207L);
        Map<Long, CrashRecoveryTest.Ack> acked = new TreeMap<>();
        long ackedOnlyInJournal = 0;
        String journalOn = "-D" + CrashChild.JOURNAL_PROPERTY + "=true";
        System.setProperty(CrashChild.JOURNAL_PROPERTY, "true");
        try {
            for (int round = 1; round <= PowerCutRecoveryTest.ROUNDS; round++) {
                List<CrashRecoveryTest.Ack> acks = new ArrayList<>();
                ChildJvm child =
                        PowerCutRecoveryTest.startChild(tmp, dataDir, syncJournal, round, acks, List.of(journalOn));
                child.awaitReady(Duration.ofSeconds(60));
                Thread.sleep(300 + rnd.nextInt(900)); // a random moment of the load, across journal checkpoints
                child.kill();
                synchronized (acks) {
                    for (CrashRecoveryTest.Ack a : acks) acked.put(a.first(), a);
                }
                PowerCut.Report cut = PowerCut.rewind(syncJournal, List.of(dataDir));
                // what the segments alone still hold: open the log without the journal (its recovery keeps the
                // checkpoint's journal position, so the replay below still applies)
                long segmentsEnd;
                try (PartitionLog alone = PartitionLog.open(logDir, CrashChild.TP, null, CrashChild.CONFIG)) {
                    segmentsEnd = alone.logEndOffset();
                }
                long onlyInJournal = acked.values().stream()
                        .filter(a -> a.last() >= segmentsEnd)
                        .count();
                ackedOnlyInJournal += onlyInJournal;
                log.info(
                        "Round {}: {} batches acknowledged so far, {} of them lost from the segments; power cut: {}",
                        round,
                        acked.size(),
                        onlyInJournal,
                        cut);
                // the broker's start: load the logs, replay the journal into them, close cleanly
                try (LogManager manager =
                        new LogManager(List.of(dataDir), CrashChild.CONFIG, CrashChild.managerConfig())) {
                    manager.startup();
                }
                CrashRecoveryTest.verify(logDir, acked, round);
                PowerCut.markDurable(syncJournal, List.of(dataDir));
            }
        } finally {
            System.clearProperty(CrashChild.JOURNAL_PROPERTY);
        }
        assertTrue(acked.size() > 100, "acknowledged batches: " + acked.size());
        // the point: the segments lost acknowledged batches that only the journal had
        assertTrue(ackedOnlyInJournal > 0, "the segments lost no acknowledged batch: the replay was never needed");
        log.info(
                "{} power cuts with the journal: {} acknowledged batches survived, {} of them only through the journal",
                PowerCutRecoveryTest.ROUNDS,
                acked.size(),
                ackedOnlyInJournal);
    }
}
