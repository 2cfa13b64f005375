package io.strand.wal;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The process {@link CrashRecoveryTest} kills: opens a log through a {@link LogManager} (recovering it if the last
 * run was killed), then appends from several threads in durable mode and prints
 * {@code ACK <first> <last> <crc32 of the batch bytes> END} for each append once {@link PartitionLog#awaitDurable}
 * has completed. Runs until killed.
 */
public final class CrashChild {
    static final TopicPartition TP = new TopicPartition("crash", 0);
    static final Uuid TOPIC_ID = new Uuid(42, 42);
    static final LogConfig CONFIG =
            LogConfig.defaults().withSegmentBytes(64 * 1024).withIndexIntervalBytes(1024);

    /** With it set to true, the child journals its appends (small journal files, frequent checkpoints). */
    static final String JOURNAL_PROPERTY = "strand.test.crash.journal";

    private CrashChild() {}

    /** The log manager settings of the child, and of a test that replays its journal. */
    static LogManagerConfig managerConfig() {
        LogManagerConfig c = LogManagerConfig.defaults().withCheckpointIntervalMs(100);
        if (!Boolean.getBoolean(JOURNAL_PROPERTY)) return c;
        return c.withJournal(new JournalConfig(true, 1024 * 1024, 300, 2 * 1024 * 1024));
    }

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]);
        long seed = Long.parseLong(args[1]);
        int threads = Integer.parseInt(args[2]);
        PrintStream out = System.out;
        LogManager manager = new LogManager(List.of(dir), CONFIG, managerConfig());
        manager.startup();
        PartitionLog log = manager.getOrCreate(TP, TOPIC_ID, CONFIG);
        synchronized (out) {
            out.println("READY " + log.logEndOffset());
            out.flush();
        }
        for (int t = 0; t < threads; t++) {
            Random rnd = new Random(seed * 31 + t);
            Thread th = new Thread(
                    () -> {
                        while (true) {
                            int n = 1 + rnd.nextInt(6);
                            SimpleRecord[] recs = new SimpleRecord[n];
                            for (int i = 0; i < n; i++) {
                                byte[] v = new byte[10 + rnd.nextInt(600)];
                                rnd.nextBytes(v);
                                recs[i] = new SimpleRecord(System.currentTimeMillis(), null, v);
                            }
                            MemoryRecords m = MemoryRecords.withRecords(Compression.NONE, recs);
                            AppendResult r = log.appendAsLeader(m, 1);
                            log.awaitDurable(r.nextOffset()).join();
                            CRC32 crc = new CRC32();
                            ByteBuffer b = m.buffer().duplicate();
                            crc.update(b);
                            synchronized (out) {
                                out.println("ACK " + r.firstOffset() + " " + r.lastOffset() + " " + crc.getValue()
                                        + " END");
                                out.flush();
                            }
                        }
                    },
                    "appender-" + t);
            th.setDaemon(false);
            th.start();
        }
    }
}
