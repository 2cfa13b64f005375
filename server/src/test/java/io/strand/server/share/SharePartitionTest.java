package io.strand.server.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.Wait;
import io.strand.wal.LogConfig;
import io.strand.wal.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A share partition on a real partition log: acquisition, the three acknowledgements, lock expiry,
 * the delivery-count limit, the start offset over the acknowledged prefix, the record-lock limit, and
 * the state a new leader reads back.
 */
class SharePartitionTest {
    private static final TopicPartition TP = new TopicPartition("share-unit", 0);
    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    @TempDir
    Path dir;

    private PartitionLog log;
    private ScheduledExecutorService timer;
    private final MemoryPersister persister = new MemoryPersister();
    private final ShareMetrics metrics = ShareMetrics.detached();

    @BeforeEach
    void open() {
        log = PartitionLog.open(dir.resolve("share-unit-0"), TP, TOPIC_ID, LogConfig.defaults());
        timer = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void close() throws Exception {
        timer.shutdownNow();
        log.close();
    }

    /** Appends {@code n} batches of {@code perBatch} records each, all replicated (high watermark at the end). */
    private void append(int n, int perBatch) {
        for (int i = 0; i < n; i++) {
            SimpleRecord[] records = new SimpleRecord[perBatch];
            for (int j = 0; j < perBatch; j++) {
                records[j] = new SimpleRecord(("v" + log.logEndOffset() + "-" + j).getBytes(StandardCharsets.UTF_8));
            }
            log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
    }

    private SharePartition partition(ShareConfig config, int leaderEpoch) {
        SharePartition sp =
                new SharePartition("g", TOPIC_ID, TP, leaderEpoch, ShareLog.of(log), config, persister, timer, metrics);
        assertEquals(Errors.NONE, sp.initialize().join());
        return sp;
    }

    private static ShareConfig config(int lockMs, int deliveryLimit, int maxLocks) {
        return new ShareConfig(lockMs, deliveryLimit, maxLocks, 100, 1, 1, 1, 5000);
    }

    /** A share partition whose start is offset 0 (the state says so, as after an offset reset to earliest). */
    private SharePartition fromEarliest(ShareConfig config) {
        persister.initialize("g", TOPIC_ID, 0, 1, 0).join();
        return partition(config, 0);
    }

    private static SharePartition.AckBatch ack(long first, long last, int type) {
        return new SharePartition.AckBatch(first, last, List.of((byte) type));
    }

    private static List<Long> offsets(SharePartition.Acquired a) {
        List<Long> out = new ArrayList<>();
        for (SharePartition.AcquiredRange r : a.ranges()) {
            for (long o = r.firstOffset(); o <= r.lastOffset(); o++) {
                out.add(o);
            }
        }
        return out;
    }

    private static List<Long> recordOffsets(SharePartition.Acquired a) {
        List<Long> out = new ArrayList<>();
        for (RecordBatch b : a.records().batches()) {
            for (Record r : b) {
                out.add(r.offset());
            }
        }
        return out;
    }

    @Test
    void shouldStartAtTheLatestOffsetWhenTheGroupHasNoState() {
        append(10, 1);
        SharePartition sp = partition(config(30_000, 5, 2000), 0);
        assertEquals(10, sp.startOffset());
        assertTrue(sp.acquire("m", 100, 1 << 20, false).ranges().isEmpty());
        append(5, 1);
        assertEquals(List.of(10L, 11L, 12L, 13L, 14L), offsets(sp.acquire("m", 100, 1 << 20, false)));
        // a new leader reads the persisted start: it does not move to the newer latest offset
        append(5, 1);
        SharePartition next = partition(config(30_000, 5, 2000), 1);
        assertEquals(10, next.startOffset());
    }

    @Test
    void shouldAcceptReleaseAndRejectAndMoveTheStartOverTheAcknowledgedPrefix() {
        append(10, 1);
        SharePartition sp = fromEarliest(config(30_000, 5, 2000));
        SharePartition.Acquired first = sp.acquire("a", 5, 1 << 20, false);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), offsets(first));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), recordOffsets(first));
        assertEquals(1, first.ranges().get(0).deliveryCount());

        assertEquals(
                Errors.NONE,
                sp.acknowledge("a", List.of(ack(0, 1, 1), ack(2, 2, 2), ack(3, 3, 3)), false)
                        .join());
        assertEquals(2, sp.startOffset()); // 0 and 1 accepted
        assertEquals(RecordState.AVAILABLE, sp.stateOf(2));
        assertEquals(RecordState.ARCHIVED, sp.stateOf(3));
        assertEquals(RecordState.ACQUIRED, sp.stateOf(4));

        // another member gets the released record again (second delivery) and new ones, never 3 or 4
        SharePartition.Acquired second = sp.acquire("b", 4, 1 << 20, false);
        assertEquals(List.of(2L, 5L, 6L, 7L), offsets(second));
        assertEquals(2, second.ranges().get(0).deliveryCount());
        assertEquals(1, second.ranges().get(1).deliveryCount());
        assertEquals(
                Errors.NONE, sp.acknowledge("b", List.of(ack(2, 2, 1)), false).join());
        assertEquals(4, sp.startOffset()); // 2 accepted, 3 archived: up to the held 4
        assertEquals(
                Errors.NONE, sp.acknowledge("a", List.of(ack(4, 4, 1)), false).join());
        assertEquals(5, sp.startOffset());
        assertEquals(5, persister.states.values().iterator().next().startOffset());
    }

    @Test
    void shouldRefuseAcknowledgementsOfRecordsTheMemberDoesNotHold() {
        append(5, 1);
        SharePartition sp = fromEarliest(config(30_000, 5, 2000));
        sp.acquire("a", 3, 1 << 20, false);
        assertEquals(
                Errors.INVALID_RECORD_STATE,
                sp.acknowledge("b", List.of(ack(0, 0, 1)), false).join());
        assertEquals(
                Errors.INVALID_RECORD_STATE,
                sp.acknowledge("a", List.of(ack(2, 3, 1)), false).join()); // 3 was never acquired
        assertEquals(
                Errors.INVALID_REQUEST,
                sp.acknowledge("a", List.of(ack(0, 0, 9)), false).join());
        assertEquals(
                Errors.INVALID_REQUEST,
                sp.acknowledge("a", List.of(ack(0, 0, 4)), false).join()); // renew needs is_renew_ack
        // all or nothing: nothing of the refused requests was applied
        assertEquals(RecordState.ACQUIRED, sp.stateOf(0));
        assertEquals(RecordState.ACQUIRED, sp.stateOf(2));
        assertEquals(
                Errors.NONE, sp.acknowledge("a", List.of(ack(0, 2, 1)), false).join());
        assertEquals(3, sp.startOffset());
    }

    @Test
    void shouldDeliverAgainWhenTheLockExpires() throws Exception {
        append(3, 1);
        SharePartition sp = fromEarliest(config(300, 5, 2000));
        assertEquals(List.of(0L, 1L, 2L), offsets(sp.acquire("a", 10, 1 << 20, false)));
        sp.acknowledge("a", List.of(ack(1, 1, 1)), false).join();
        Wait.waitUntil(
                "the acquisition lock expires", Duration.ofSeconds(10), () -> sp.stateOf(0) == RecordState.AVAILABLE);
        assertEquals(RecordState.AVAILABLE, sp.stateOf(2));
        assertEquals(RecordState.ACKNOWLEDGED, sp.stateOf(1));
        assertTrue(metrics.lockExpiries() >= 2);
        SharePartition.Acquired again = sp.acquire("b", 10, 1 << 20, false);
        assertEquals(List.of(0L, 2L), offsets(again));
        again.ranges().forEach(r -> assertEquals(2, r.deliveryCount()));
        // an acknowledgement after the lock expired is refused: the record is not held any more
        assertEquals(
                Errors.INVALID_RECORD_STATE,
                sp.acknowledge("a", List.of(ack(0, 0, 1)), false).join());
    }

    @Test
    void shouldArchiveAtTheDeliveryCountLimit() {
        append(2, 1);
        SharePartition sp = fromEarliest(config(30_000, 2, 2000));
        for (int delivery = 1; delivery <= 2; delivery++) {
            SharePartition.Acquired a = sp.acquire("a", 1, 1 << 20, true);
            assertEquals(List.of(0L), offsets(a));
            assertEquals(delivery, a.ranges().get(0).deliveryCount());
            assertEquals(
                    Errors.NONE,
                    sp.acknowledge("a", List.of(ack(0, 0, 2)), false).join());
        }
        assertNull(sp.stateOf(0)); // archived and below the start offset now
        assertEquals(1, sp.startOffset());
        assertEquals(List.of(1L), offsets(sp.acquire("a", 5, 1 << 20, false)));
    }

    @Test
    void shouldKeepAtMostMaxRecordLocksInFlight() {
        append(20, 1);
        SharePartition sp = fromEarliest(config(30_000, 5, 5));
        assertEquals(5, sp.acquire("a", 100, 1 << 20, false).count());
        assertTrue(sp.acquire("b", 100, 1 << 20, false).ranges().isEmpty());
        sp.acknowledge("a", List.of(ack(0, 2, 1)), false).join();
        assertEquals(List.of(5L, 6L, 7L), offsets(sp.acquire("b", 100, 1 << 20, false)));
    }

    @Test
    void shouldAcquireWholeBatchesUnlessTheRecordLimitIsStrict() {
        append(2, 10);
        SharePartition sp = fromEarliest(config(30_000, 5, 2000));
        assertEquals(10, sp.acquire("a", 3, 1 << 20, false).count()); // batch optimised: the whole first batch
        SharePartition.Acquired strict = sp.acquire("b", 3, 1 << 20, true);
        assertEquals(List.of(10L, 11L, 12L), offsets(strict));
        assertEquals(10, strict.records().batches().iterator().next().baseOffset()); // the batch holding them
    }

    @Test
    void shouldSizeItsLogReadsForTheRecordsWantedAndStillReachBatchesLargerThanExpected() {
        append(50, 1); // small batches teach a small size per record
        for (int i = 0; i < 3; i++) { // then batches of 100 KiB, far larger than the estimate
            log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[100 * 1024])), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        SharePartition sp = fromEarliest(config(30_000, 5, 2000));
        SharePartition.Acquired first = sp.acquire("a", 10, 50 << 20, false);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), offsets(first)); // not all 53 of max_bytes
        assertEquals(offsets(first), recordOffsets(first));
        SharePartition.Acquired rest = sp.acquire("a", 42, 50 << 20, false);
        assertEquals(42, rest.count()); // 40 small ones and 2 large ones, read by larger reads
        assertEquals(offsets(rest), recordOffsets(rest));
        assertEquals(List.of(52L), offsets(sp.acquire("a", 100, 50 << 20, false)));
    }

    @Test
    void shouldLetANewLeaderDeliverOnlyWhatWasNotAcknowledged() {
        append(8, 1);
        SharePartition old = fromEarliest(config(30_000, 5, 2000));
        assertEquals(5, old.acquire("a", 5, 1 << 20, false).count());
        assertEquals(
                Errors.NONE,
                old.acknowledge("a", List.of(ack(0, 0, 1), ack(1, 1, 2), ack(2, 2, 1), ack(3, 3, 3)), false)
                        .join());
        // 4 stays acquired when the leader fails over: the new leader reads the state at epoch 1
        old.close();
        SharePartition next = partition(config(30_000, 5, 2000), 1);
        assertEquals(1, next.startOffset());
        assertEquals(RecordState.ACKNOWLEDGED, next.stateOf(2));
        assertEquals(RecordState.ARCHIVED, next.stateOf(3));
        SharePartition.Acquired a = next.acquire("b", 100, 1 << 20, false);
        assertEquals(List.of(1L, 4L, 5L, 6L, 7L), offsets(a));
        assertEquals(2, next.deliveryCountOf(1));
        assertEquals(2, next.deliveryCountOf(4));
        assertEquals(1, next.deliveryCountOf(5));
        // the old leader's writes are fenced now
        assertEquals(
                Errors.FENCED_LEADER_EPOCH,
                persister
                        .write("g", TOPIC_ID, 0, new ShareState(1, 0, 0, 0, List.of()))
                        .join());
    }

    @Test
    void shouldNeverDeliverControlRecordsAndMoveTheStartOverThem() {
        append(2, 1);
        log.appendControlAsLeader(
                MemoryRecords.withEndTransactionMarker(
                        0L,
                        System.currentTimeMillis(),
                        0,
                        7L,
                        (short) 0,
                        new EndTransactionMarker(ControlRecordType.COMMIT, 1)),
                0);
        append(1, 1);
        SharePartition sp = fromEarliest(config(30_000, 5, 2000));
        SharePartition.Acquired a = sp.acquire("a", 100, 1 << 20, false);
        assertEquals(List.of(0L, 1L, 3L), offsets(a));
        assertEquals(List.of(0L, 1L, 3L), recordOffsets(a));
        assertEquals(
                Errors.NONE,
                sp.acknowledge("a", List.of(ack(0, 1, 1), ack(3, 3, 1)), false).join());
        assertEquals(4, sp.startOffset());
    }
}
