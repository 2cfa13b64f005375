package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.PowerCut;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The power-cut simulation on real files: what {@link SyncJournal} records of each fsync, and what {@link
 * PowerCut#rewind} keeps of the files afterwards.
 */
class PowerCutRewindTest {
    @TempDir
    Path tmp;

    private Path dir;
    private Path journalFile;
    private SyncJournal journal;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createDirectories(tmp.resolve("data/topic-0"));
        journalFile = tmp.resolve("sync-journal");
        journal = new SyncJournal(journalFile);
        syncDir(tmp.resolve("data"));
    }

    @Test
    void shouldKeepOnlyTheBytesAnFsyncMadeDurable() throws IOException {
        Path file = dir.resolve("00000000000000000000.log");
        byte[] synced = bytes(100, 1);
        try (FileChannel ch = open(file)) {
            write(ch, synced);
            journal.forceFile(ch, file, false);
            syncDir(dir);
            write(ch, bytes(50, 2));
        }

        PowerCut.Report r = rewind();

        assertArrayEquals(synced, Files.readAllBytes(file));
        assertEquals(1, r.filesCut());
        assertEquals(50, r.bytesCut());
        assertEquals(50, r.bytesCut("log"));
    }

    @Test
    void shouldCutAFileNeverFsyncedToNothingWhenItsDirectoryEntryIsDurable() throws IOException {
        Path file = dir.resolve("zk-session");
        Files.write(file, bytes(41, 3));
        syncDir(dir);

        rewind();

        assertTrue(Files.exists(file));
        assertEquals(0, Files.size(file));
    }

    @Test
    void shouldRemoveEntriesNoDirectoryFsyncListedAndUndoRenames() throws IOException {
        Path segment = dir.resolve("00000000000000000000.log");
        try (FileChannel ch = open(segment)) {
            write(ch, bytes(10, 4));
            journal.forceFile(ch, segment, false);
        }
        syncDir(dir);
        // after the directory's last fsync: a new file (fsynced itself), a new directory, a rename
        Path created = dir.resolve("00000000000000000010.log");
        try (FileChannel ch = open(created)) {
            write(ch, bytes(10, 5));
            journal.forceFile(ch, created, false);
        }
        Path newDir = Files.createDirectories(tmp.resolve("data/topic-1"));
        Files.write(newDir.resolve("x"), bytes(3, 6));
        Files.move(segment, dir.resolve("00000000000000000000.log.deleted"));

        PowerCut.Report r = rewind();

        assertFalse(Files.exists(created));
        assertFalse(Files.exists(newDir));
        assertFalse(Files.exists(dir.resolve("00000000000000000000.log.deleted")));
        assertArrayEquals(bytes(10, 4), Files.readAllBytes(segment));
        assertEquals(2, r.entriesRemoved());
        assertEquals(1, r.renamesUndone());
    }

    @Test
    void shouldKeepAFileRenamedOverAListedOneWithWhatItsFsyncMadeDurable() throws IOException {
        Path checkpoint = dir.resolve("leader-epoch-checkpoint");
        writeAtomically(checkpoint, "old");
        syncDir(dir);
        writeAtomically(checkpoint, "new"); // power cut before the directory fsync that follows

        rewind();

        assertEquals("new", Files.readString(checkpoint));
    }

    @Test
    void shouldZeroAMappedIndexBeyondTheEntriesItsLastFsyncSaw() throws IOException {
        Path index = dir.resolve("00000000000000000000.index");
        try (FileChannel ch = open(index)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, 4096);
            map.putLong(0, 0x0102030405060708L).putLong(8, 0x1112131415161718L);
            journal.forceMapped(map, index, 16);
            syncDir(dir);
            map.putLong(16, 0x2122232425262728L); // an entry written after the fsync
        }

        PowerCut.Report r = rewind();

        byte[] after = Files.readAllBytes(index);
        assertEquals(4096, after.length);
        ByteBuffer b = ByteBuffer.wrap(after);
        assertEquals(0x0102030405060708L, b.getLong(0));
        assertEquals(0x1112131415161718L, b.getLong(8));
        assertEquals(0, b.getLong(16));
        assertEquals(8, r.bytesZeroed());
    }

    private void writeAtomically(Path file, String content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = open(temp)) {
            write(ch, content.getBytes());
            journal.forceFile(ch, temp, true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private PowerCut.Report rewind() throws IOException {
        return PowerCut.rewind(journalFile, List.of(tmp.resolve("data")));
    }

    private void syncDir(Path d) throws IOException {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            journal.forceDir(ch, d);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static void write(FileChannel ch, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) ch.write(b);
    }

    private static byte[] bytes(int n, int fill) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) fill);
        return b;
    }
}
