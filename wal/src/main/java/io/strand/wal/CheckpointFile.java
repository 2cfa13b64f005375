package io.strand.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Small text files replaced atomically: write {@code <name>.tmp}, fsync it, rename over {@code <name>}, fsync the
 * directory. A reader sees the old or the new content, never a mix. Stateless and thread-safe (callers serialise
 * writes of one file).
 */
final class CheckpointFile {
    static final String TMP_SUFFIX = ".tmp";

    private CheckpointFile() {}

    static void write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + TMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) ch.write(buf);
            SyncJournal.force(ch, tmp, true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        fsyncDir(file.getParent());
    }

    static Optional<List<String>> readLines(Path file) throws IOException {
        try {
            return Optional.of(new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** fsyncs a directory so that file creations, renames and deletions in it are durable. */
    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            SyncJournal.forceDirectory(ch, dir);
        } catch (IOException e) {
            // some file systems / platforms cannot open or fsync directories; nothing more we can do there
            if (!System.getProperty("os.name", "").toLowerCase().contains("win")) throw e;
        }
    }
}
