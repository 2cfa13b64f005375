package io.strand.wal.cleaner;

import static io.strand.wal.cleaner.CompactedLogs.COMPACTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.wal.AbortedTxn;
import io.strand.wal.CleanerHints;
import io.strand.wal.LogConfig;
import io.strand.wal.LogManager;
import io.strand.wal.LogManagerConfig;
import io.strand.wal.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction of a log with transactions and idempotent producers, as Kafka's cleaner does it: aborted data goes at
 * the first cleaning; a marker stays while data of its transaction is in the log, then is kept until its delete
 * horizon and goes; committed data is compacted like any other; and the batch holding an active producer's last
 * record stays (emptied) so that its sequence numbers survive.
 */
class TransactionalCompactionTest {
    static final TopicPartition TP = new TopicPartition("txn-compacted", 0);
    static final long COMMITTED = 100;
    static final long ABORTED = 200;
    static final long IDEMPOTENT = 300;

    @TempDir
    Path tmp;

    LogManager logs;
    LogCleaner cleaner;
    PartitionLog log;

    @BeforeEach
    void start() {
        LogConfig cfg = COMPACTED.withCompaction(COMPACTED.compaction().withDeleteRetentionMs(200));
        logs = new LogManager(List.of(tmp), cfg, LogManagerConfig.defaults());
        logs.startup();
        log = logs.getOrCreate(TP, Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAw"), cfg);
        cleaner = new LogCleaner(logs, CleanerConfig.defaults(), Time.SYSTEM);
    }

    @AfterEach
    void stop() {
        cleaner.close();
        logs.close();
    }

    private static SimpleRecord rec(String k, String v) {
        return new SimpleRecord(
                System.currentTimeMillis(), k.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8));
    }

    private long marker(ControlRecordType type, long pid) {
        return log.appendControlAsLeader(
                        MemoryRecords.withEndTransactionMarker(
                                0L, System.currentTimeMillis(), 0, pid, (short) 0, new EndTransactionMarker(type, 1)),
                        0)
                .firstOffset();
    }

    private void fill(String tag) {
        for (int i = 0; i < 40; i++)
            log.appendAsLeader(CompactedLogs.keyed(System.currentTimeMillis(), "other-" + i, tag + "z".repeat(150)), 0);
        log.updateHighWatermark(log.logEndOffset());
    }

    private List<RecordBatch> controlBatches() {
        List<RecordBatch> out = new ArrayList<>();
        for (RecordBatch b : log.batchesFrom(log.logStartOffset()))
            if (b.isControlBatch() && b.iterator().hasNext()) out.add(b);
        return out;
    }

    @Test
    void shouldDropAbortedDataAtOnceAndItsMarkerAfterTheDeleteHorizon() throws Exception {
        log.appendAsLeader(
                MemoryRecords.withTransactionalRecords(
                        Compression.NONE, COMMITTED, (short) 0, 0, rec("a", "committed"), rec("b", "committed")),
                0);
        marker(ControlRecordType.COMMIT, COMMITTED);
        long first = log.appendAsLeader(
                        MemoryRecords.withTransactionalRecords(
                                Compression.NONE, ABORTED, (short) 0, 0, rec("a", "aborted"), rec("c", "aborted")),
                        0)
                .firstOffset();
        long abortMarker = marker(ControlRecordType.ABORT, ABORTED);
        log.appendAbortedTransaction(new AbortedTxn(ABORTED, first, abortMarker, first));
        fill("1");

        cleaner.cleanAllNow();
        Map<String, CompactedLogs.Entry> latest = CompactedLogs.latest(CompactedLogs.read(log));
        assertEquals("committed", latest.get("a").value(), "the aborted a is gone, the committed one stays");
        assertFalse(latest.containsKey("c"), "aborted data goes: " + latest.keySet());
        assertEquals(2, controlBatches().size(), "both markers stay while their transactions' batches were seen");
        assertEquals(1, log.abortedTransactions(0, Long.MAX_VALUE).size(), "the kept marker stays indexed");

        fill("2");
        cleaner.cleanAllNow(); // no aborted data left: the ABORT marker gets its delete horizon
        Thread.sleep(300);
        fill("3");
        cleaner.cleanAllNow(); // past the horizon: it goes
        List<RecordBatch> markers = controlBatches();
        assertEquals(1, markers.size(), "only the COMMIT marker of the surviving committed data stays");
        assertEquals(COMMITTED, markers.get(0).producerId());
        assertTrue(log.abortedTransactions(0, Long.MAX_VALUE).isEmpty());
        assertEquals(
                "committed",
                CompactedLogs.latest(CompactedLogs.read(log)).get("a").value());
    }

    @Test
    void shouldKeepTheBatchOfAnActiveProducersLastRecordEvenWhenItsRecordsAreSuperseded() throws Exception {
        long last = 0;
        for (int seq = 0; seq < 10; seq++) {
            last = log.appendAsLeader(
                            MemoryRecords.withIdempotentRecords(
                                    Compression.NONE, IDEMPOTENT, (short) 2, seq, rec("k", "idempotent-" + seq)),
                            0)
                    .lastOffset();
        }
        long lastOfProducer = last;
        log.cleanable().setHints(new CleanerHints() {
            @Override
            public long firstUnstableOffset() {
                return log.highWatermark();
            }

            @Override
            public Map<Long, LastProducerEntry> activeProducers() {
                return Map.of(IDEMPOTENT, new LastProducerEntry(lastOfProducer, (short) 2));
            }
        });
        log.appendAsLeader(CompactedLogs.keyed(System.currentTimeMillis(), "k", "plain"), 0); // supersedes k
        fill("1");
        cleaner.cleanAllNow();

        List<RecordBatch> ofProducer = new ArrayList<>();
        for (RecordBatch b : log.batchesFrom(0)) if (b.producerId() == IDEMPOTENT) ofProducer.add(b);
        assertEquals(1, ofProducer.size(), "only the producer's last batch stays: " + ofProducer);
        RecordBatch kept = ofProducer.get(0);
        assertEquals(lastOfProducer, kept.lastOffset());
        assertEquals(9, kept.lastSequence(), "its sequence numbers survive");
        assertEquals(2, kept.producerEpoch());
        assertFalse(kept.iterator().hasNext(), "emptied: its record was superseded");
        assertEquals(
                "plain", CompactedLogs.latest(CompactedLogs.read(log)).get("k").value());
    }
}
