package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka's LeaderEpochFileCache semantics, and the checkpoint file. */
class LeaderEpochCacheTest {
    @TempDir
    Path tmp;

    @Test
    void shouldAnswerOffsetsForLeaderEpochLikeKafka() throws Exception {
        LeaderEpochCache c = new LeaderEpochCache(tmp, "");
        assertEquals(EpochEndOffset.UNDEFINED, c.endOffsetFor(0, 100));
        c.assign(2, 6);
        c.assign(3, 8);
        c.assign(5, 12);
        long leo = 20;
        assertEquals(new EpochEndOffset(5, 20), c.endOffsetFor(5, leo), "latest epoch ends at the log end");
        assertEquals(new EpochEndOffset(3, 12), c.endOffsetFor(3, leo));
        assertEquals(
                new EpochEndOffset(3, 12),
                c.endOffsetFor(4, leo),
                "unknown epoch: largest below, ends where the next starts");
        assertEquals(new EpochEndOffset(2, 8), c.endOffsetFor(2, leo));
        assertEquals(
                new EpochEndOffset(1, 6),
                c.endOffsetFor(1, leo),
                "below every epoch: requested epoch, first start offset");
        assertEquals(EpochEndOffset.UNDEFINED, c.endOffsetFor(6, leo), "above every epoch");
        assertEquals(EpochEndOffset.UNDEFINED, c.endOffsetFor(-1, leo));
        assertEquals(OptionalInt.of(5), c.latestEpoch());
        assertEquals(-1, c.epochForOffset(5));
        assertEquals(2, c.epochForOffset(7));
        assertEquals(5, c.epochForOffset(100));
    }

    @Test
    void shouldIgnoreRepeatsAndDropContradictedEntries() throws Exception {
        LeaderEpochCache c = new LeaderEpochCache(tmp, "");
        assertTrue(c.assign(1, 0));
        assertFalse(c.assign(1, 5), "same epoch later offset: no change");
        assertTrue(c.assign(2, 10));
        assertTrue(c.assign(3, 15));
        // a new epoch starting at or below existing starts removes them
        assertTrue(c.assign(4, 12));
        assertEquals(List.of(new EpochEntry(1, 0), new EpochEntry(2, 10), new EpochEntry(4, 12)), c.entries());
        // an older epoch re-assigned removes everything at or above it
        assertTrue(c.assign(2, 9));
        assertEquals(List.of(new EpochEntry(1, 0), new EpochEntry(2, 9)), c.entries());
    }

    @Test
    void shouldTruncateFromBothEndsAndPersist() throws Exception {
        LeaderEpochCache c = new LeaderEpochCache(tmp, "");
        c.assign(1, 0);
        c.assign(2, 10);
        c.assign(3, 20);
        c.assign(4, 30);
        c.truncateFromEnd(20);
        assertEquals(List.of(new EpochEntry(1, 0), new EpochEntry(2, 10)), c.entries());
        c.truncateFromStart(15);
        assertEquals(List.of(new EpochEntry(2, 15)), c.entries());
        String file = Files.readString(tmp.resolve(LeaderEpochCache.FILE_NAME));
        assertEquals("0\n1\n2 15\n", file);
        LeaderEpochCache reloaded = new LeaderEpochCache(tmp, "");
        assertEquals(c.entries(), reloaded.entries());
        c.clear();
        assertTrue(new LeaderEpochCache(tmp, "").isEmpty());
    }

    @Test
    void shouldStartEmptyFromAMalformedFile() throws Exception {
        Files.writeString(tmp.resolve(LeaderEpochCache.FILE_NAME), "0\n3\n1 0\ngarbage\n");
        assertTrue(new LeaderEpochCache(tmp, "").isEmpty());
    }
}
