package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.DiskFiller;
import io.strand.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Below the free-space floor a log refuses appends, as leader and as follower, before writing
 * anything, and stays online; once space is freed appends go through again by themselves. The file
 * system is the real one under the test's temporary directory: a filler file takes it below a floor
 * set just above what is free with the filler, and deleting the filler frees the space.
 */
class FreeSpaceFloorTest {
    private static final long FILLER_BYTES = 96L << 20;

    @TempDir
    Path tmp;

    @Test
    void shouldLeaveRoomForTheJournalsNextFileWhenTheFloorIsOn() {
        int file = JournalConfig.DEFAULT_FILE_BYTES;
        LogManagerConfig journaled = LogManagerConfig.defaults().withJournal(JournalConfig.ENABLED);
        assertEquals(file, LogManager.freeBytesFloor(journaled.withFreeSpaceFloor(1 << 20, 0)), "raised");
        assertEquals(file, LogManager.freeBytesFloor(journaled.withFreeSpaceFloor(0, 5)), "raised (percent floor)");
        assertEquals(128L << 20, LogManager.freeBytesFloor(journaled.withFreeSpaceFloor(128L << 20, 0)), "kept");
        assertEquals(0, LogManager.freeBytesFloor(journaled.withFreeSpaceFloor(0, 0)), "no floor stays none");
        assertEquals(
                1 << 20,
                LogManager.freeBytesFloor(LogManagerConfig.defaults().withFreeSpaceFloor(1 << 20, 0)),
                "no journal: as configured");
    }

    @Test
    void shouldRefuseAppendsBelowTheFloorWithoutGoingOfflineAndResumeWhenSpaceIsFreed() throws Exception {
        Path logDir = tmp.resolve("logs");
        Files.createDirectories(logDir);
        Path filler = tmp.resolve("filler");
        DiskFiller.fill(filler, FILLER_BYTES);
        long usableWithFiller = Files.getFileStore(logDir).getUsableSpace();
        // below the floor by a third of the filler now; above it by two thirds once the filler goes
        long floor = usableWithFiller + FILLER_BYTES / 3;
        TopicPartition tp = new TopicPartition("full", 0);
        try (LogManager logs = new LogManager(
                List.of(logDir),
                LogConfig.defaults(),
                LogManagerConfig.defaults().withFreeSpaceFloor(floor, 0))) {
            logs.startup();
            PartitionLog log = logs.getOrCreate(tp, Uuid.randomUuid(), LogConfig.defaults());

            LogDirFullException refused =
                    assertThrows(LogDirFullException.class, () -> log.appendAsLeader(TestRecords.batch(4, 100), 0));
            assertTrue(refused.getMessage().contains(logDir.toString()), refused.getMessage());
            assertTrue(refused.getMessage().contains("bytes free"), refused.getMessage());
            assertEquals(0, log.logEndOffset(), "nothing was written");
            assertThrows(LogDirFullException.class, () -> log.appendAsFollower(TestRecords.batch(4, 100)));
            assertEquals(0, log.logEndOffset());

            Files.delete(filler);
            Wait.waitUntil("appends go through once space is freed", Duration.ofSeconds(30), () -> {
                try {
                    log.appendAsLeader(TestRecords.batch(4, 100), 0);
                    return true;
                } catch (LogDirFullException stillFull) {
                    return false;
                }
            });
            assertEquals(4, log.logEndOffset(), "the log stayed online and took the append");
            assertFalse(logs.all().isEmpty());
        }
    }
}
