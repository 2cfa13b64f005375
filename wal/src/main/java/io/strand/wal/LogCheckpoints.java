package io.strand.wal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small files of one partition log besides its segments: {@code log-offsets.checkpoint} (recovery point, high
 * watermark, log start offset), {@code partition.metadata} (topic id, Kafka's format) and the {@code clean.shutdown}
 * marker. Every file is replaced atomically ({@link CheckpointFile}). The leader-epoch checkpoint is the
 * {@link LeaderEpochCache}'s own.
 *
 * <p>Thread-safety: the instance state (the last content written, whether the marker is on disk) is guarded by the
 * owning log's lock; the static readers are called by the loading thread and the log manager.
 */
final class LogCheckpoints {
    private static final Logger log = LoggerFactory.getLogger(LogCheckpoints.class);

    static final String CHECKPOINT_FILE = "log-offsets.checkpoint";
    static final String CLEAN_SHUTDOWN_FILE = "clean.shutdown";
    static final String PARTITION_METADATA_FILE = "partition.metadata";
    private static final int CHECKPOINT_VERSION = 0;
    /** With a journal position (a log in a directory with a {@link WriteAheadJournal}). */
    private static final int CHECKPOINT_VERSION_JOURNAL = 1;

    /**
     * The content of {@code log-offsets.checkpoint}; {@code journalPosition}: the position in the directory's
     * {@link WriteAheadJournal} from which the journal's entries of this log apply on top of the segments up to the
     * recovery point (-1: none, the log was never journaled; version 0 of the file).
     */
    record Offsets(long recoveryPoint, long highWatermark, long logStartOffset, long journalPosition) {
        static final Offsets NONE = new Offsets(0, 0, 0, -1);

        String content() {
            String common = "recoveryPoint " + recoveryPoint + "\n" + "highWatermark " + highWatermark + "\n"
                    + "logStartOffset " + logStartOffset + "\n";
            if (journalPosition < 0) return CHECKPOINT_VERSION + "\n" + common;
            return CHECKPOINT_VERSION_JOURNAL + "\n" + common + "journalPosition " + journalPosition + "\n";
        }
    }

    private final String logPrefix;
    /** The content last written (or loaded); log lock. */
    private String lastWritten;
    /** Whether {@code clean.shutdown} is on disk (from a clean close, until the first mutation); log lock. */
    private boolean cleanMarkerPresent;

    LogCheckpoints(String logPrefix, Offsets loaded, boolean cleanMarkerPresent) {
        this.logPrefix = logPrefix;
        this.lastWritten = loaded.content();
        this.cleanMarkerPresent = cleanMarkerPresent;
    }

    /**
     * Writes the offsets if they changed since the last write, after the epoch cache's pending entries (the
     * recovery point must not pass entries that are only in memory). Log lock held.
     */
    void write(Path dir, LeaderEpochCache epochs, Offsets offsets) throws IOException {
        epochs.flushIfDirty();
        String content = offsets.content();
        if (content.equals(lastWritten)) return;
        CheckpointFile.write(dir.resolve(CHECKPOINT_FILE), content);
        lastWritten = content;
    }

    /** Reads the checkpointed offsets; {@link Offsets#NONE} (recover everything) when absent or malformed. */
    static Offsets read(Path dir, String logPrefix) throws IOException {
        Path file = dir.resolve(CHECKPOINT_FILE);
        Optional<List<String>> lines = CheckpointFile.readLines(file);
        if (lines.isEmpty()) return Offsets.NONE;
        long[] r = {0, 0, 0, -1};
        try {
            List<String> l = lines.get();
            int version = l.isEmpty() ? -1 : Integer.parseInt(l.get(0).trim());
            int fields = version == CHECKPOINT_VERSION ? 3 : version == CHECKPOINT_VERSION_JOURNAL ? 4 : -1;
            if (fields < 0 || l.size() < 1 + fields) throw new IOException("unrecognised checkpoint format");
            String[] keys = {"recoveryPoint", "highWatermark", "logStartOffset", "journalPosition"};
            for (int i = 0; i < fields; i++) {
                String[] kv = l.get(1 + i).trim().split("\\s+");
                if (kv.length != 2 || !kv[0].equals(keys[i]))
                    throw new IOException("expected " + keys[i] + " in line '" + l.get(1 + i) + "'");
                r[i] = Long.parseLong(kv[1]);
            }
        } catch (IOException | NumberFormatException e) {
            log.warn("{}Ignoring malformed {}: {}; recovering the whole log", logPrefix, file, e.getMessage());
            return Offsets.NONE;
        }
        return new Offsets(r[0], r[1], r[2], r[3]);
    }

    // ============================================================================================== clean shutdown

    static boolean cleanMarkerExists(Path dir) {
        return Files.exists(dir.resolve(CLEAN_SHUTDOWN_FILE));
    }

    /**
     * Before the first mutation after a clean start: removes the marker durably, so that a crash from here on leads
     * to a recovery scan. No-op when it is gone already. Log lock held.
     */
    void removeCleanMarker(Path dir) throws IOException {
        if (!cleanMarkerPresent) return;
        Files.deleteIfExists(dir.resolve(CLEAN_SHUTDOWN_FILE));
        CheckpointFile.fsyncDir(dir);
        cleanMarkerPresent = false;
    }

    /** The last step of a clean close: the next open may skip recovery. Log lock held. */
    void writeCleanMarker(Path dir) {
        try {
            Files.createFile(dir.resolve(CLEAN_SHUTDOWN_FILE));
        } catch (FileAlreadyExistsException e) {
            // still there from a start without writes
        } catch (IOException e) {
            log.warn("{}Could not write the clean-shutdown marker; the next open will recover", logPrefix, e);
        }
    }

    // ============================================================================================== topic id

    /** The topic id in {@code partition.metadata}, if the file exists. */
    static Optional<Uuid> readTopicId(Path dir) throws IOException {
        Optional<List<String>> lines = CheckpointFile.readLines(dir.resolve(PARTITION_METADATA_FILE));
        if (lines.isEmpty()) return Optional.empty();
        for (String line : lines.get()) {
            String t = line.trim();
            if (t.startsWith("topic_id:")) {
                try {
                    return Optional.of(
                            Uuid.fromString(t.substring("topic_id:".length()).trim()));
                } catch (IllegalArgumentException e) {
                    throw new IOException(
                            "Malformed topic id in " + dir.resolve(PARTITION_METADATA_FILE) + ": " + t, e);
                }
            }
        }
        return Optional.empty();
    }

    /** Kafka's {@code partition.metadata}: "version: 0" and "topic_id: <base64 uuid>". */
    static void writeTopicId(Path dir, Uuid topicId) throws IOException {
        CheckpointFile.write(dir.resolve(PARTITION_METADATA_FILE), "version: 0\ntopic_id: " + topicId + "\n");
    }
}
