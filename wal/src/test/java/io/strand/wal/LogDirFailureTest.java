package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An I/O error in one log takes its whole log directory offline: every log in it refuses appends
 * and leaves the manager, listeners hear of it, no log is created there again, and the other
 * directory keeps working. The error is real: the directory is replaced by a file under the open
 * logs, so the next checkpoint write fails in the operating system.
 */
class LogDirFailureTest {
    @TempDir
    Path tmp;

    @Test
    void shouldTakeTheWholeDirectoryOfflineOnAnIoErrorAndKeepTheOtherServing() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        AtomicInteger events = new AtomicInteger();
        try (LogManager logs = new LogManager(List.of(a, b), LogConfig.defaults())) {
            logs.startup();
            logs.addLogDirListener(events::incrementAndGet);
            List<PartitionLog> all = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                PartitionLog log =
                        logs.getOrCreate(new TopicPartition("t", p), Uuid.randomUuid(), LogConfig.defaults());
                log.appendAsLeader(TestRecords.batch(3, 10), 0);
                all.add(log);
            }
            List<PartitionLog> inA =
                    all.stream().filter(l -> l.dir().getParent().equals(a)).toList();
            List<PartitionLog> inB =
                    all.stream().filter(l -> l.dir().getParent().equals(b)).toList();
            assertEquals(2, inA.size(), "new logs spread over both directories");

            Files.move(a, tmp.resolve("a.gone"));
            Files.writeString(a, "not a directory");
            inA.get(0).updateHighWatermark(3);
            KafkaStorageException ioError =
                    assertThrows(KafkaStorageException.class, inA.get(0)::checkpoint, "the checkpoint write fails");
            assertTrue(ioError.getMessage().contains(a.toString()), ioError.getMessage());

            Wait.waitUntil(
                    "directory a goes offline",
                    Duration.ofSeconds(10),
                    () -> !logs.offlineLogDirs().isEmpty());
            assertEquals(java.util.Set.of(a), logs.offlineLogDirs());
            Wait.waitUntil("listeners heard of it", Duration.ofSeconds(10), () -> events.get() >= 1);
            for (PartitionLog log : inA) {
                assertThrows(KafkaStorageException.class, () -> log.appendAsLeader(TestRecords.batch(1, 10), 0));
                assertTrue(logs.isOffline(log.topicPartition()));
                assertTrue(logs.get(log.topicPartition()).isEmpty(), "an offline log leaves the manager");
                assertThrows(
                        KafkaStorageException.class,
                        () -> logs.getOrCreate(log.topicPartition(), log.topicId(), LogConfig.defaults(), true),
                        "an offline partition is not re-created elsewhere");
            }
            for (PartitionLog log : inB) {
                log.appendAsLeader(TestRecords.batch(2, 10), 0);
                assertEquals(5, log.logEndOffset());
            }
            LogDirState stateA = logs.logDirStates().get(0);
            assertEquals(LogDirState.Status.OFFLINE, stateA.status());
            assertEquals(
                    inA.stream()
                            .map(PartitionLog::topicPartition)
                            .sorted(java.util.Comparator.comparing(TopicPartition::toString))
                            .toList(),
                    stateA.partitions().stream()
                            .sorted(java.util.Comparator.comparing(TopicPartition::toString))
                            .toList());
            assertTrue(logs.logDirStates().get(1).online());

            TopicPartition unknown = new TopicPartition("older", 0);
            assertThrows(
                    KafkaStorageException.class,
                    () -> logs.getOrCreate(unknown, Uuid.randomUuid(), LogConfig.defaults(), false),
                    "a partition that may have data in the offline directory is not created empty");
            assertTrue(logs.isOffline(unknown), "and it is reported offline, so that its leadership moves");
            PartitionLog fresh =
                    logs.getOrCreate(new TopicPartition("new", 0), Uuid.randomUuid(), LogConfig.defaults(), true);
            assertEquals(b, fresh.dir().getParent(), "a new log goes to the directory still online");
            assertFalse(logs.allLogDirsOffline());
        }
    }

    @Test
    void shouldTakeADirectoryThatVanishedOfflineWithoutAnyWrite() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        try (LogManager logs = new LogManager(List.of(a, b), LogConfig.defaults())) {
            logs.startup();
            PartitionLog log = logs.getOrCreate(new TopicPartition("t", 0), Uuid.randomUuid(), LogConfig.defaults());
            Path dir = log.dir().getParent();
            Files.move(dir, tmp.resolve("moved"));
            Wait.waitUntil(
                    "the periodic check takes it offline",
                    Duration.ofSeconds(10),
                    () -> logs.offlineLogDirs().contains(dir));
            assertThrows(KafkaStorageException.class, () -> log.appendAsLeader(TestRecords.batch(1, 10), 0));
        }
    }

    @Test
    void shouldStartWithTheUsableDirectoriesAndRefuseToStartWithNone() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Files.writeString(a, "a file where a directory should be");
        try (LogManager logs = new LogManager(List.of(a, b), LogConfig.defaults())) {
            logs.startup();
            assertEquals(java.util.Set.of(a), logs.offlineLogDirs());
            PartitionLog log =
                    logs.getOrCreate(new TopicPartition("t", 0), Uuid.randomUuid(), LogConfig.defaults(), true);
            assertEquals(b, log.dir().getParent());
            assertEquals(
                    Map.of(a, LogDirState.Status.OFFLINE, b, LogDirState.Status.ONLINE),
                    Map.of(
                            a, logs.logDirStates().get(0).status(),
                            b, logs.logDirStates().get(1).status()));
        }
        Path c = tmp.resolve("c");
        Files.writeString(c, "another file");
        LogManager none = new LogManager(List.of(a, c), LogConfig.defaults());
        KafkaStorageException e = assertThrows(KafkaStorageException.class, none::startup);
        assertTrue(e.getMessage().contains("every log directory is offline"), e.getMessage());
        none.close();
    }
}
