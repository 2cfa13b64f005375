package io.strand.wal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The process {@link TransactionCrashTest} kills: opens a log through a {@link LogManager} (recovering it if the
 * last run was killed), then runs transactions one after the other as the broker would: one to three data batches,
 * then an ABORT or COMMIT marker ({@link PartitionLog#appendControlAsLeader}); for an abort, the aborted transaction
 * ({@link PartitionLog#appendAbortedTransaction}). Once the marker is durable it prints
 * {@code ABORT <producerId> <firstOffset> <lastOffset> END} (or {@code COMMIT ...}). Runs until killed.
 */
public final class TxnCrashChild {
    static final TopicPartition TP = new TopicPartition("txncrash", 0);
    static final Uuid TOPIC_ID = new Uuid(43, 43);
    static final LogConfig CONFIG =
            LogConfig.defaults().withSegmentBytes(16 * 1024).withIndexIntervalBytes(1024);

    private TxnCrashChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]);
        long seed = Long.parseLong(args[1]);
        PrintStream out = System.out;
        LogManager manager =
                new LogManager(List.of(dir), CONFIG, LogManagerConfig.defaults().withCheckpointIntervalMs(100));
        manager.startup();
        PartitionLog log = manager.getOrCreate(TP, TOPIC_ID, CONFIG);
        out.println("READY " + log.logEndOffset());
        out.flush();
        Random rnd = new Random(seed);
        long producerId = seed * 1_000_000;
        while (true) {
            producerId++;
            long first = -1;
            for (int b = 1 + rnd.nextInt(3); b > 0; b--) {
                SimpleRecord[] recs = new SimpleRecord[1 + rnd.nextInt(4)];
                for (int i = 0; i < recs.length; i++) {
                    byte[] v = new byte[10 + rnd.nextInt(300)];
                    rnd.nextBytes(v);
                    recs[i] = new SimpleRecord(System.currentTimeMillis(), null, v);
                }
                long at = log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, recs), 1)
                        .firstOffset();
                if (first < 0) first = at;
            }
            boolean abort = rnd.nextInt(3) > 0;
            ControlRecordType type = abort ? ControlRecordType.ABORT : ControlRecordType.COMMIT;
            MemoryRecords marker = MemoryRecords.withEndTransactionMarker(
                    0L, System.currentTimeMillis(), 0, producerId, (short) 0, new EndTransactionMarker(type, 1));
            long last = log.appendControlAsLeader(marker, 1).firstOffset();
            if (abort) log.appendAbortedTransaction(new AbortedTxn(producerId, first, last, last + 1));
            log.awaitDurable(last + 1).join();
            out.println(type + " " + producerId + " " + first + " " + last + " END");
            out.flush();
        }
    }
}
