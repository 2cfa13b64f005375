package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogManagerTest {
    @TempDir
    Path tmp;

    private LogManager manager(List<Path> dirs) {
        LogManager m = new LogManager(
                dirs, LogConfig.defaults(), LogManagerConfig.defaults().withFileDeleteDelayMs(100));
        m.startup();
        return m;
    }

    @Test
    void shouldCreateLoadAndKeepLogsAcrossRestarts() throws Exception {
        Path d1 = tmp.resolve("d1");
        Path d2 = tmp.resolve("d2");
        Uuid id = Uuid.randomUuid();
        TopicPartition a = new TopicPartition("my-topic", 0);
        TopicPartition b = new TopicPartition("my-topic", 1);
        try (LogManager m = manager(List.of(d1, d2))) {
            PartitionLog la = m.getOrCreate(a, id, LogConfig.defaults());
            PartitionLog lb = m.getOrCreate(b, id, LogConfig.defaults());
            assertSame(la, m.getOrCreate(a, id, LogConfig.defaults()));
            assertFalse(la.dir().getParent().equals(lb.dir().getParent()), "spread over log dirs");
            assertEquals("my-topic-0", la.dir().getFileName().toString());
            AppendResult r = la.appendAsLeader(TestRecords.batch(4, 10), 2);
            la.awaitDurable(r.nextOffset()).get(10, TimeUnit.SECONDS);
            lb.appendAsLeader(TestRecords.batch(2, 10), 2);
            la.updateHighWatermark(4);
            assertEquals(2, m.all().size());
        }
        try (LogManager m = manager(List.of(d1, d2))) {
            PartitionLog la = m.get(a).orElseThrow();
            assertEquals(id, la.topicId());
            assertEquals(4, la.logEndOffset());
            assertEquals(4, la.highWatermark());
            assertEquals(2, m.get(b).orElseThrow().logEndOffset());
            assertEquals(List.of(new EpochEntry(2, 0)), la.epochEntries());
        }
    }

    @Test
    void shouldDropTheOldLogWhenTheTopicIsRecreated() throws Exception {
        TopicPartition tp = new TopicPartition("t", 0);
        Uuid oldId = Uuid.randomUuid();
        try (LogManager m = manager(List.of(tmp))) {
            m.getOrCreate(tp, oldId, LogConfig.defaults()).appendAsLeader(TestRecords.batch(4, 10), 0);
        }
        try (LogManager m = manager(List.of(tmp))) {
            PartitionLog old = m.get(tp).orElseThrow();
            assertEquals(4, old.logEndOffset());
            Uuid newId = Uuid.randomUuid();
            PartitionLog fresh = m.getOrCreate(tp, newId, LogConfig.defaults());
            assertEquals(0, fresh.logEndOffset());
            assertEquals(newId, fresh.topicId());
            assertEquals(newId, LogCheckpoints.readTopicId(fresh.dir()).orElseThrow());
            assertThrows(KafkaStorageException.class, () -> old.appendAsLeader(TestRecords.batch(1, 1), 0));
        }
    }

    @Test
    void shouldRenameThenDeleteADeletedLog() throws Exception {
        TopicPartition tp = new TopicPartition("gone", 2);
        try (LogManager m = manager(List.of(tmp))) {
            PartitionLog l =
                    m.getOrCreate(tp, Uuid.randomUuid(), LogConfig.defaults().withFsyncBeforeAck(false));
            l.appendAsLeader(TestRecords.batch(4, 10), 0);
            FileSlice slice = (FileSlice) l.read(0, 1000, Long.MAX_VALUE, true).records();
            m.delete(tp);
            assertTrue(m.get(tp).isEmpty());
            assertFalse(Files.exists(tmp.resolve("gone-2")));
            // a slice handed out before stays readable until the delete delay has passed
            assertEquals(4, TestRecords.batches(slice).get(0).countOrNull());
            Wait.waitUntil(
                    "the renamed directory is deleted after the delay", Duration.ofSeconds(10), () -> countDirs() == 0);
        }
    }

    private long countDirs() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(Files::isDirectory).count();
        }
    }

    @Test
    void shouldRefuseToOpenAStandaloneLogOfAnotherTopicId() {
        Path dir = tmp.resolve("x-0");
        PartitionLog.open(dir, new TopicPartition("x", 0), Uuid.randomUuid(), LogConfig.defaults())
                .close();
        assertThrows(
                org.apache.kafka.common.errors.InconsistentTopicIdException.class,
                () -> PartitionLog.open(dir, new TopicPartition("x", 0), Uuid.randomUuid(), LogConfig.defaults()));
    }

    @Test
    void shouldParsePartitionDirectoryNames() {
        assertEquals(
                new TopicPartition("a-b-c", 12),
                LogManager.parseTopicPartition("a-b-c-12").orElseThrow());
        assertTrue(LogManager.parseTopicPartition("a-b.0123abcd-delete").isEmpty());
        assertTrue(LogManager.parseTopicPartition("noPartition").isEmpty());
    }

    @Test
    void shouldRefuseALogDirectoryAnotherLogManagerHasOpenUntilItCloses() {
        Path d = tmp.resolve("locked");
        try (LogManager first = manager(List.of(d))) {
            LogManager second = new LogManager(List.of(d), LogConfig.defaults(), LogManagerConfig.defaults());
            KafkaStorageException e = assertThrows(KafkaStorageException.class, second::startup);
            assertTrue(e.getMessage().contains(d.toString()), e.getMessage());
            second.close();
            assertTrue(first.logDirs().contains(d));
        }
        try (LogManager reopened = manager(List.of(d))) {
            assertEquals(0, reopened.all().size());
        }
    }
}
