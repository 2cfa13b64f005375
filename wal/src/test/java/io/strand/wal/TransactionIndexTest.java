package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The aborted-transaction index of one segment on its own: Kafka's file format, reopen, truncation, damage. */
class TransactionIndexTest {
    @TempDir
    Path tmp;

    @Test
    void shouldWriteKafkasFormatOnlyOnceThereIsAnEntry() throws Exception {
        TransactionIndex idx = TransactionIndex.create(tmp, 100);
        Path file = tmp.resolve("00000000000000000100.txnindex");
        assertEquals(file, idx.file());
        assertFalse(Files.exists(file), "no file without entries");
        assertTrue(idx.entries().isEmpty());
        assertTrue(idx.append(new AbortedTxn(7, 90, 105, 90)), "the first append creates the file");
        assertFalse(idx.append(new AbortedTxn(8, 106, 120, 121)));
        idx.close();

        ByteBuffer expected = ByteBuffer.allocate(68);
        expected.putShort((short) 0).putLong(7).putLong(90).putLong(105).putLong(90);
        expected.putShort((short) 0).putLong(8).putLong(106).putLong(120).putLong(121);
        assertArrayEquals(expected.array(), Files.readAllBytes(file), "34-byte big-endian entries, version 0");

        TransactionIndex again = TransactionIndex.open(tmp, 100);
        assertEquals(List.of(new AbortedTxn(7, 90, 105, 90), new AbortedTxn(8, 106, 120, 121)), again.entries());
        assertEquals(120, again.lastOffset());
        assertThrows(IllegalArgumentException.class, () -> again.append(new AbortedTxn(9, 110, 120, 121)));
        again.close();
    }

    @Test
    void shouldCollectEntriesOverlappingARange() throws Exception {
        TransactionIndex idx = TransactionIndex.create(tmp, 0);
        AbortedTxn a = new AbortedTxn(1, 0, 10, 11);
        AbortedTxn b = new AbortedTxn(2, 5, 20, 5);
        AbortedTxn c = new AbortedTxn(3, 12, 30, 31);
        AbortedTxn d = new AbortedTxn(4, 40, 50, 51);
        for (AbortedTxn t : List.of(a, b, c, d)) idx.append(t);
        assertEquals(List.of(a, b, c, d), collect(idx, 0, 100));
        assertEquals(List.of(b, c), collect(idx, 11, 40), "last offset >= 11, first offset < 40");
        assertEquals(List.of(a, b), collect(idx, 10, 12));
        assertEquals(List.of(), collect(idx, 51, 1000));
        assertEquals(List.of(), collect(idx, 0, 0));
        assertEquals(List.of(d), collect(idx, 31, 41));
        idx.close();
    }

    @Test
    void shouldTruncateEntriesAtOrAboveAnOffset() throws Exception {
        TransactionIndex idx = TransactionIndex.create(tmp, 0);
        for (int i = 1; i <= 5; i++) idx.append(new AbortedTxn(i, i * 10L - 5, i * 10L, i * 10L + 1));
        assertEquals(0, idx.truncateTo(51));
        assertEquals(2, idx.truncateTo(40));
        assertEquals(30, idx.lastOffset());
        assertEquals(3 * TransactionIndex.ENTRY_SIZE, Files.size(idx.file()));
        idx.append(new AbortedTxn(9, 31, 35, 36));
        assertEquals(List.of(30L, 35L), lastOffsets(collect(idx, 21, 100)));
        assertEquals(4, idx.truncateTo(0));
        assertTrue(idx.isEmpty());
        assertEquals(-1, idx.lastOffset());
        idx.append(new AbortedTxn(1, 1, 2, 3));
        idx.close();
        assertEquals(
                List.of(new AbortedTxn(1, 1, 2, 3)),
                TransactionIndex.open(tmp, 0).entries());
    }

    @Test
    void shouldDropATornOrCorruptTailAtOpen() throws Exception {
        TransactionIndex idx = TransactionIndex.create(tmp, 100);
        for (int i = 1; i <= 3; i++) idx.append(new AbortedTxn(i, 100 + i * 10L, 105 + i * 10L, 106 + i * 10L));
        idx.close();
        Path file = idx.file();
        try (LogCapture logs = new LogCapture()) {
            // a torn fourth entry
            Files.write(file, new byte[20], StandardOpenOption.APPEND);
            TransactionIndex torn = TransactionIndex.open(tmp, 100);
            assertEquals(3, torn.entries().size());
            assertEquals(3L * TransactionIndex.ENTRY_SIZE, Files.size(file), "cut at the last whole entry");
            torn.close();
            assertTrue(logs.messages("WARN").stream().anyMatch(m -> m.contains("incomplete entry of 20 bytes")));

            // the third entry damaged: its last offset no longer above the second's
            ByteBuffer bad = ByteBuffer.allocate(TransactionIndex.ENTRY_SIZE)
                    .putShort((short) 0)
                    .putLong(3)
                    .putLong(110)
                    .putLong(112)
                    .putLong(113)
                    .flip();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.write(bad, 2L * TransactionIndex.ENTRY_SIZE);
            }
            TransactionIndex corrupt = TransactionIndex.open(tmp, 100);
            assertEquals(2, corrupt.entries().size());
            assertEquals(125, corrupt.lastOffset());
            corrupt.close();
            assertTrue(logs.messages("WARN").stream().anyMatch(m -> m.contains("does not follow")));
        }
    }

    @Test
    void shouldRenameAndDeleteWithItsSegment() throws Exception {
        TransactionIndex none = TransactionIndex.create(tmp, 0);
        none.renameTo(LogSegment.DELETED_SUFFIX);
        none.closeAndDelete();
        TransactionIndex idx = TransactionIndex.create(tmp, 50);
        idx.append(new AbortedTxn(1, 50, 51, 52));
        Path original = idx.file();
        idx.renameTo(LogSegment.DELETED_SUFFIX);
        assertFalse(Files.exists(original));
        assertTrue(Files.exists(tmp.resolve("00000000000000000050.txnindex.deleted")));
        assertEquals(1, idx.entries().size(), "still readable after the rename");
        idx.closeAndDelete();
        assertFalse(Files.exists(tmp.resolve("00000000000000000050.txnindex.deleted")));
    }

    private static List<AbortedTxn> collect(TransactionIndex idx, long start, long upper) throws Exception {
        List<AbortedTxn> out = new ArrayList<>();
        idx.collect(start, upper, out);
        return out;
    }

    private static List<Long> lastOffsets(List<AbortedTxn> txns) {
        return txns.stream().map(AbortedTxn::lastOffset).toList();
    }
}
