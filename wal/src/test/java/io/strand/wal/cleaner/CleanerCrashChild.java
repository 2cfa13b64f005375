package io.strand.wal.cleaner;

import io.strand.wal.AppendResult;
import io.strand.wal.CompactionConfig;
import io.strand.wal.LogConfig;
import io.strand.wal.LogManager;
import io.strand.wal.LogManagerConfig;
import io.strand.wal.PartitionLog;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * The process {@link CleanerCrashTest} kills: a compacted log (recovered if the last run was killed) under a log
 * cleaner that is throttled so that a cleaning takes a while, and one appender writing 200 keys over and over with
 * fsync-before-ack. After each durable append it moves the high watermark there (standing in for replication, so the
 * cleaner may clean it) and prints {@code ACK <offset> <key> <value> END} per record; it prints
 * {@code CLEANINGS <n>} when the cleaner finished another cleaning. Runs until killed.
 */
public final class CleanerCrashChild {
    static final TopicPartition TP = new TopicPartition("crash-compacted", 0);
    static final Uuid TOPIC_ID = new Uuid(7, 7);
    static final LogConfig CONFIG = LogConfig.defaults()
            .withSegmentBytes(64 * 1024)
            .withIndexIntervalBytes(1024)
            .withCompaction(CompactionConfig.deleteOnly().withPolicy("compact").withMinCleanableDirtyRatio(0.05));
    static final int KEYS = 200;

    private CleanerCrashChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]);
        long seed = Long.parseLong(args[1]);
        PrintStream out = System.out;
        LogManager manager =
                new LogManager(List.of(dir), CONFIG, LogManagerConfig.defaults().withCheckpointIntervalMs(100));
        manager.startup();
        PartitionLog log = manager.getOrCreate(TP, TOPIC_ID, CONFIG);
        log.updateHighWatermark(log.logEndOffset());
        LogCleaner cleaner = new LogCleaner(
                manager, CleanerConfig.defaults().withBackoffMs(20).withMaxIoBytesPerSecond(3 << 20), Time.SYSTEM);
        cleaner.startup();
        synchronized (out) {
            out.println("READY " + log.logEndOffset());
            out.flush();
        }
        Thread watcher = new Thread(() -> {
            long seen = 0;
            while (true) {
                long n = cleaner.cleanings();
                if (n != seen) {
                    seen = n;
                    synchronized (out) {
                        out.println("CLEANINGS " + n);
                        out.flush();
                    }
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        watcher.setDaemon(true);
        watcher.start();
        Random rnd = new Random(seed);
        long seq = 0;
        while (true) {
            int n = 1 + rnd.nextInt(8);
            String[] kv = new String[2 * n];
            for (int i = 0; i < n; i++) {
                kv[2 * i] = "key-" + rnd.nextInt(KEYS);
                kv[2 * i + 1] = (rnd.nextInt(20) == 0) ? null : "s" + seed + "-" + (seq++) + "-" + "p".repeat(150);
            }
            AppendResult r = log.appendAsLeader(CompactedLogs.keyed(System.currentTimeMillis(), kv), 1);
            log.awaitDurable(r.nextOffset()).join();
            log.updateHighWatermark(r.nextOffset());
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                String v = kv[2 * i + 1];
                sb.append("ACK ")
                        .append(r.firstOffset() + i)
                        .append(' ')
                        .append(kv[2 * i])
                        .append(' ')
                        .append(v == null ? "-" : v.substring(0, v.indexOf("-p")))
                        .append(" END\n");
            }
            synchronized (out) {
                out.print(sb);
                out.flush();
            }
        }
    }
}
