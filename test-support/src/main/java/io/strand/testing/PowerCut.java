package io.strand.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A simulated power cut (after Jepsen's LazyFS): after a {@code kill -9} of a process that journaled its fsyncs
 * (the WAL's {@code SyncJournal}, enabled by the system property {@code strand.test.sync.journal}), {@link #rewind}
 * takes its directories back to what those fsyncs made durable, as if the machine had lost its page cache:
 *
 * <ul>
 *   <li>a directory entry survives only if the directory's last fsync listed it (with the same file): entries
 *       created since are removed (a directory with everything in it), and a file renamed since goes back to the
 *       name that was listed, if that name is free. An entry that replaced a listed one of the same name (a
 *       rename over it, as checkpoints are written) stays: it is one of the two outcomes of the rename, and the old
 *       file is gone;
 *   <li>a surviving file is cut to the length its last fsync made durable (to 0 if it was never fsynced), and the
 *       bytes of a memory-mapped index beyond the entries it had then are zeroed (what the last {@code msync}
 *       wrote there, as far as the journal knows).
 * </ul>
 *
 * <p>What it does not simulate (each a way a real disk can do worse): files deleted since the last directory fsync
 * do not come back; data written after a truncation over bytes that were durable is kept up to the durable length
 * (a real file may come back with the old bytes); unsynced writes are dropped as a whole tail, never reordered or
 * torn in the middle; a disk that acknowledges an fsync it has not done. A file is recognised by its file key
 * (device and inode); a deleted file's inode reused by a file of the same name prefix (up to the first dot) that
 * was never fsynced would inherit the old file's durable length.
 *
 * <p>Threading: stateless; call it while the process that wrote the journal is dead.
 */
public final class PowerCut {
    private PowerCut() {}

    /**
     * What a rewind did: files cut and bytes cut off them (also per file name extension, the part after the
     * last dot, e.g. {@code log}), bytes zeroed, directory entries removed, renames undone; {@link #actions()}
     * names each change.
     */
    public record Report(
            int filesCut,
            long bytesCut,
            Map<String, Long> bytesCutByExtension,
            long bytesZeroed,
            int entriesRemoved,
            int renamesUndone,
            List<String> actions) {
        /** Bytes cut off files whose names end with {@code .<extension>}. */
        public long bytesCut(String extension) {
            return bytesCutByExtension.getOrDefault(extension, 0L);
        }

        @Override
        public String toString() {
            return filesCut + " files cut by " + bytesCut + " bytes " + bytesCutByExtension + ", " + bytesZeroed
                    + " bytes zeroed, " + entriesRemoved + " unsynced entries removed, " + renamesUndone
                    + " renames undone";
        }
    }

    /** The last fsync of a file: its durable length and, within it, the length of valid data. */
    private record Synced(long durable, long valid, String name) {}

    /**
     * Rewinds everything under each of {@code roots} (kept themselves) to the durable state that {@code journal}
     * records.
     */
    public static Report rewind(Path journal, List<Path> roots) throws IOException {
        Rewind r = new Rewind(journal);
        for (Path root : roots) {
            if (Files.isDirectory(root)) r.directory(root);
        }
        return new Report(
                r.filesCut,
                r.bytesCut,
                Map.copyOf(r.bytesCutByExtension),
                r.bytesZeroed,
                r.entriesRemoved,
                r.renamesUndone,
                List.copyOf(r.actions));
    }

    /**
     * Records in {@code journal} that everything under {@code roots} (and the roots' entries) is durable as it is
     * now, as {@code sync} would make it: for a test that changed the files in a process that keeps no journal
     * (e.g. it opened and checked the log itself) before the journaling process runs again.
     */
    public static void markDurable(Path journal, List<Path> roots) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (Path root : roots) {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : all.toList()) {
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        lines.append("D\t").append(Rewind.key(p)).append('\t').append(p.toAbsolutePath());
                        Rewind.entries(p)
                                .forEach((name, k) -> lines.append('\t')
                                        .append(name)
                                        .append('/')
                                        .append(k));
                    } else {
                        long size = Files.size(p);
                        lines.append("F\t")
                                .append(Rewind.key(p))
                                .append('\t')
                                .append(size)
                                .append('\t')
                                .append(size)
                                .append('\t')
                                .append(p.toAbsolutePath());
                    }
                    lines.append('\n');
                }
            }
        }
        Files.writeString(journal, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static final class Rewind {
        /** Per file key: its last fsync. */
        private final Map<String, Synced> files = new HashMap<>();
        /** Per directory key: the entries (name to file key) of its last fsync. */
        private final Map<String, Map<String, String>> dirs = new HashMap<>();

        private final List<String> actions = new ArrayList<>();
        private int filesCut;
        private long bytesCut;
        private final Map<String, Long> bytesCutByExtension = new java.util.TreeMap<>();
        private long bytesZeroed;
        private int entriesRemoved;
        private int renamesUndone;

        Rewind(Path journal) throws IOException {
            List<String> lines =
                    Files.exists(journal) ? Files.readAllLines(journal, StandardCharsets.UTF_8) : List.of();
            for (String line : lines) {
                String[] f = line.split("\t");
                if (f[0].equals("F") && f.length == 5) {
                    files.put(f[1], new Synced(Long.parseLong(f[2]), Long.parseLong(f[3]), fileName(f[4])));
                } else if (f[0].equals("D") && f.length >= 3) {
                    Map<String, String> entries = new LinkedHashMap<>();
                    for (int i = 3; i < f.length; i++) {
                        int slash = f[i].lastIndexOf('/');
                        entries.put(f[i].substring(0, slash), f[i].substring(slash + 1));
                    }
                    dirs.put(f[1], entries);
                }
                // "S" lines and a torn last line (the process died writing it) carry nothing to rewind
            }
        }

        void directory(Path dir) throws IOException {
            Map<String, String> listed = dirs.getOrDefault(key(dir), Map.of());
            Map<String, String> now = entries(dir);
            // renamed since the last fsync of the directory (not over a listed entry): back to the listed name
            Map<String, String> listedNameByKey = new HashMap<>();
            listed.forEach((name, k) -> listedNameByKey.put(k, name));
            for (Map.Entry<String, String> e : new ArrayList<>(now.entrySet())) {
                String name = e.getKey();
                String k = e.getValue();
                String was = listedNameByKey.get(k);
                if (!listed.containsKey(name) && was != null && !now.containsKey(was)) {
                    Files.move(dir.resolve(name), dir.resolve(was));
                    now.remove(name);
                    now.put(was, k);
                    renamesUndone++;
                    actions.add("renamed " + dir.resolve(name) + " back to " + was);
                }
            }
            for (Map.Entry<String, String> e : now.entrySet()) {
                Path p = dir.resolve(e.getKey());
                if (!listed.containsKey(e.getKey())) {
                    deleteRecursively(p);
                    entriesRemoved++;
                    actions.add("removed " + p + " (not in a directory fsync)");
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    directory(p);
                } else {
                    file(p, e.getValue());
                }
            }
        }

        private void file(Path p, String key) throws IOException {
            Synced s = files.get(key);
            if (s != null && !prefix(s.name()).equals(prefix(p.getFileName().toString()))) {
                s = null; // the inode of another file, reused
            }
            long durable = s == null ? 0 : s.durable();
            long valid = s == null ? 0 : s.valid();
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long size = ch.size();
                long keep = Math.min(size, durable);
                if (keep < size) {
                    ch.truncate(keep);
                    filesCut++;
                    bytesCut += size - keep;
                    String name = p.getFileName().toString();
                    bytesCutByExtension.merge(name.substring(name.lastIndexOf('.') + 1), size - keep, Long::sum);
                    actions.add("cut " + p + " from " + size + " to " + keep + " bytes");
                }
                if (valid < keep) {
                    long zeroed = zero(ch, valid, keep);
                    if (zeroed > 0) {
                        bytesZeroed += zeroed;
                        actions.add("zeroed " + zeroed + " bytes of " + p + " after its " + valid + " synced bytes");
                    }
                }
            }
        }

        /** Zeroes the non-zero bytes of [from, to); returns how many there were. */
        private static long zero(FileChannel ch, long from, long to) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            ByteBuffer zeros = ByteBuffer.allocate(buf.capacity());
            long changed = 0;
            for (long pos = from; pos < to; pos += buf.capacity()) {
                buf.clear().limit((int) Math.min(buf.capacity(), to - pos));
                while (buf.hasRemaining() && ch.read(buf, pos + buf.position()) >= 0) {}
                buf.flip();
                long nonZero = 0;
                while (buf.hasRemaining()) if (buf.get() != 0) nonZero++;
                if (nonZero > 0) {
                    zeros.clear().limit(buf.limit());
                    while (zeros.hasRemaining()) ch.write(zeros, pos + zeros.position());
                    changed += nonZero;
                }
            }
            return changed;
        }

        private static Map<String, String> entries(Path dir) throws IOException {
            Map<String, String> out = new LinkedHashMap<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    try {
                        out.put(p.getFileName().toString(), key(p));
                    } catch (NoSuchFileException e) {
                        // gone meanwhile
                    }
                }
            }
            return out;
        }

        private static String key(Path p) throws IOException {
            Object k = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
            if (k == null) throw new IOException("No file key for " + p + ": a power cut needs one (Linux)");
            return k.toString();
        }

        private static String fileName(String path) {
            return path.substring(path.lastIndexOf('/') + 1);
        }

        /** A name up to its first dot: the same for a file's temporary, renamed and final names. */
        private static String prefix(String name) {
            int dot = name.indexOf('.');
            return dot < 0 ? name : name.substring(0, dot);
        }

        private static void deleteRecursively(Path p) throws IOException {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> all = Files.walk(p)) {
                    for (Path q : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
                }
            } else {
                Files.deleteIfExists(p);
            }
        }
    }
}
