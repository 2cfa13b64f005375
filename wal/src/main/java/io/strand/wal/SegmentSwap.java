package io.strand.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crash-safe file protocol by which a segment rewritten by the log cleaner replaces the segments it was made
 * from (Kafka's {@code .cleaned} / {@code .swap} protocol). The cleaned segment has the base offset of the first old
 * segment, so it ends up with that segment's file names. A kill -9 or a power cut at any moment leaves either the old
 * segments or the new one, never a mix or a gap:
 * <ol>
 *   <li>The cleaner writes {@code <base>.log.cleaned} and its indexes ({@code .index.cleaned}, ...) and fsyncs them.
 *       A crash now leaves {@code .cleaned} files, which the loader deletes: the old segments stand.
 *   <li>{@link #swapIn}: the cleaned files are renamed to {@code .swap}, index files first and the log file last, and
 *       the directory is fsynced. From the moment {@code <base>.log.swap} exists the swap is decided: the loader
 *       completes it ({@link #completeAtLoad}).
 *   <li>Each old segment is renamed to {@code .deleted} (index files first, log last; deleted after the usual delay),
 *       the directory fsynced; then the swap files get their final names (index files first, log last), and the
 *       directory is fsynced again.
 * </ol>
 * Completing at load, for each {@code <B>.log.swap} holding offsets up to {@code N - 1}: every segment whose log file
 * still has its final name and whose base offset is {@code B} or within [{@code B}, {@code N}) is an old segment and
 * is deleted with its index files; then the swap files take their final names. When {@code <B>.log} is gone already,
 * index files named {@code <B>.index} etc. are the new segment's (the old ones were renamed before its log file), so
 * they stay. A swap index file that never got its final name is renamed; a missing offset or time index is rebuilt
 * when the segment is opened.
 *
 * <p>Stateless. {@link #swapIn} runs under the log lock; {@link #completeAtLoad} runs on the loading thread.
 */
final class SegmentSwap {
    private static final Logger log = LoggerFactory.getLogger(SegmentSwap.class);

    private SegmentSwap() {}

    /** Step 2 and 3 for the files; the caller updates the segment map. Log lock held. */
    static void swapIn(Path dir, List<LogSegment> old, LogSegment cleaned) throws IOException {
        cleaned.changeSuffix(LogSegment.CLEANED_SUFFIX, LogSegment.SWAP_SUFFIX);
        CheckpointFile.fsyncDir(dir);
        for (LogSegment seg : old) seg.renameForDeletion();
        CheckpointFile.fsyncDir(dir);
        cleaned.changeSuffix(LogSegment.SWAP_SUFFIX, "");
        CheckpointFile.fsyncDir(dir);
    }

    /**
     * Deletes unfinished cleanings ({@code .cleaned} files) and completes decided swaps ({@code .swap} files) in
     * {@code dir}, before the loader lists the segments. Returns the number of swaps completed.
     */
    static int completeAtLoad(Path dir, String logPrefix) throws IOException {
        TreeSet<Long> swaps = new TreeSet<>();
        List<Path> swapIndexes = new ArrayList<>();
        boolean changed = false;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.endsWith(LogSegment.CLEANED_SUFFIX)) {
                    Files.deleteIfExists(p);
                    changed = true;
                } else if (name.endsWith(LogSegment.LOG_SUFFIX + LogSegment.SWAP_SUFFIX)) {
                    swaps.add(baseOf(name));
                } else if (name.endsWith(LogSegment.SWAP_SUFFIX)) {
                    swapIndexes.add(p);
                }
            }
        }
        for (Path p : swapIndexes) {
            if (!swaps.contains(baseOf(p.getFileName().toString()))) {
                Files.deleteIfExists(p); // an index of a swap whose log file got its final name: rebuilt if missing
                changed = true;
            }
        }
        for (long base : swaps) {
            Path swapLog = dir.resolve(LogSegment.logFile(dir, base).getFileName() + LogSegment.SWAP_SUFFIX);
            long next = nextOffset(swapLog, base);
            for (long old : finalSegmentBases(dir)) {
                if (old == base || (old > base && old < next)) {
                    log.info(
                            "{}Completing the log cleaner's swap of {}: deleting the replaced segment at {}",
                            logPrefix,
                            swapLog,
                            old);
                    Files.deleteIfExists(LogSegment.logFile(dir, old));
                    for (String suffix : SegmentIndexes.SUFFIXES)
                        Files.deleteIfExists(dir.resolve(LogSegment.filenamePrefix(old) + suffix));
                }
            }
            for (String suffix : SegmentIndexes.SUFFIXES) {
                Path p = dir.resolve(LogSegment.filenamePrefix(base) + suffix + LogSegment.SWAP_SUFFIX);
                if (Files.exists(p)) Files.move(p, dir.resolve(LogSegment.filenamePrefix(base) + suffix));
            }
            Files.move(swapLog, LogSegment.logFile(dir, base));
            changed = true;
        }
        if (changed) CheckpointFile.fsyncDir(dir);
        return swaps.size();
    }

    private static long baseOf(String fileName) {
        return Long.parseLong(fileName.substring(0, fileName.indexOf('.')));
    }

    private static TreeSet<Long> finalSegmentBases(Path dir) throws IOException {
        TreeSet<Long> bases = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + LogSegment.LOG_SUFFIX)) {
            for (Path p : ds) bases.add(baseOf(p.getFileName().toString()));
        }
        return bases;
    }

    /** The offset after the last whole batch of a (fsynced) swap file, or {@code base} when it has none. */
    private static long nextOffset(Path file, long base) throws IOException {
        long next = base;
        ByteBuffer header = ByteBuffer.allocate(BatchHeader.HEADER_SIZE);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long pos = 0;
            while (pos + BatchHeader.HEADER_SIZE <= size) {
                header.clear();
                while (header.hasRemaining()) {
                    if (ch.read(header, pos + header.position()) < 0) return next;
                }
                BatchHeader h = BatchHeader.parse(header, 0, pos);
                if (!h.isStructurallyValid() || h.nextPosition() > size) break;
                next = h.nextOffset();
                pos = h.nextPosition();
            }
        }
        return next;
    }
}
