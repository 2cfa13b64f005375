package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.Wait;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator reads of the journal ({@link LogManager#journalStats}, the broker's {@code log.journal-*}
 * gauges): the files in use grow with what was written since the last checkpoint, and a checkpoint releases them
 * into spares, leaving nothing to replay; the bytes are the files' space on disk.
 */
class JournalStatsTest {
    static final TopicPartition TP = new TopicPartition("stats", 0);
    static final int FILE_BYTES = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldCountWhatACheckpointWouldReleaseAndReleaseItIntoSpares() throws Exception {
        LogManagerConfig config = LogManagerConfig.defaults()
                .withCheckpointIntervalMs(3_600_000)
                .withJournal(new JournalConfig(true, FILE_BYTES, 3_600_000, 64L * FILE_BYTES));
        LogManager m = new LogManager(List.of(dir), LogConfig.defaults(), config);
        try {
            m.startup();
            PartitionLog log = m.getOrCreate(TP, Uuid.randomUuid(), LogConfig.defaults());
            JournalStats fresh = m.journalStats();
            assertEquals(1, fresh.files(), fresh.toString());
            assertEquals(0, fresh.uncheckpointedBytes(), fresh.toString());

            long written = 0;
            while (written < 3L * FILE_BYTES) {
                var batch = TestRecords.batch(16, 1000);
                written += batch.sizeInBytes();
                AppendResult r = log.appendAsLeader(batch, 1);
                log.awaitDurable(r.nextOffset()).get();
            }
            JournalStats full = m.journalStats();
            assertTrue(full.files() >= 4, "3 MiB of entries over 1 MiB files: " + full);
            assertTrue(full.uncheckpointedBytes() >= written, written + " bytes appended: " + full);
            assertTrue(full.uncheckpointedBytes() <= written + full.files() * 4096, full.toString());
            assertSpaceOnDisk(m);

            m.checkpointJournals();
            JournalStats released = m.journalStats();
            assertEquals(1, released.files(), "the current file stays: " + released);
            assertEquals(0, released.uncheckpointedBytes(), released.toString());
            assertTrue(released.spareFiles() >= full.files() - 1, "released files kept as spares: " + released);
            assertSpaceOnDisk(m);
        } finally {
            m.close();
        }
    }

    /** The bytes are the journal files' sizes (a spare being zero-filled in the background is there soon). */
    private void assertSpaceOnDisk(LogManager m) throws Exception {
        Wait.waitUntil(
                "the journal's bytes are its files' sizes on disk",
                Duration.ofSeconds(10),
                () -> m.journalStats().bytes() == journalSpace(),
                () -> m.journalStats() + ", on disk " + journalSpace());
    }

    private long journalSpace() {
        try (Stream<Path> files = Files.list(dir.resolve(WriteAheadJournal.DIR_NAME))) {
            long sum = 0;
            for (Path p : files.filter(p -> p.toString().endsWith(WriteAheadJournal.SUFFIX))
                    .toList()) {
                sum += Files.size(p);
            }
            return sum;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
