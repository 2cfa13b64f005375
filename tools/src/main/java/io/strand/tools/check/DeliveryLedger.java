package io.strand.tools.check;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What {@code strand check} wrote and read, per key, in a form that stays small over long runs: a
 * key's records are numbered 0, 1, 2, ... in send order, and bit sets say which numbers were
 * acknowledged, belong to an aborted transaction, and were read. From them {@link #summary()}
 * derives what went wrong:
 *
 * <ul>
 *   <li>lost: acknowledged and never read;
 *   <li>duplicated: reads of a record already read;
 *   <li>out of order: the first read of a record after a later record of its key was read;
 *   <li>unacknowledged but read: records whose send failed or whose outcome is unknown, read anyway
 *       (allowed: a send that timed out may have been written);
 *   <li>aborted but read: records of an aborted transaction read by a {@code read_committed}
 *       consumer (never allowed).
 * </ul>
 *
 * The end-to-end latency (read time minus the send time the value carries) of each first read is
 * kept in an HdrHistogram when the reader runs beside the writer.
 *
 * <p>Thread-safe: one lock (this object's monitor) guards everything, so the producer's callbacks
 * (the client's I/O thread), the producing thread, the consumer thread and the progress display may
 * call it at once.
 */
final class DeliveryLedger {
    private static final int EXAMPLES = 10;
    private static final long MAX_LATENCY_MS = 3_600_000;

    /** One key: its partition (as the producer's acknowledgements report it) and its records' fates. */
    static final class KeyRecords {
        int partition = -1;
        int sent;
        final BitSet acknowledged = new BitSet();
        final BitSet aborted = new BitSet();
        final BitSet read = new BitSet();
        int highestRead = -1;
    }

    private final Map<String, KeyRecords> keys = new LinkedHashMap<>();
    private final Map<String, Long> failureReasons = new TreeMap<>();
    private final List<String> outOfOrderExamples = new ArrayList<>();
    private final List<String> duplicateExamples = new ArrayList<>();
    private final Histogram latency = new Histogram(MAX_LATENCY_MS, 3);
    private long sendFailures;
    private long reads;
    private long duplicated;
    private long outOfOrder;
    private long foreign;

    // ------------------------------------------------------------------------------ writing

    /** The next sequence number of {@code key}: its record is about to be sent. */
    synchronized int nextSeq(String key) {
        return keys.computeIfAbsent(key, k -> new KeyRecords()).sent++;
    }

    /** The record was written to {@code partition} (acknowledged, or written in a transaction still open). */
    synchronized void written(String key, int partition) {
        keys.get(key).partition = partition;
    }

    synchronized void acknowledged(String key, int seq) {
        keys.get(key).acknowledged.set(seq);
    }

    /** The record belongs to a transaction that was aborted: a {@code read_committed} reader must never see it. */
    synchronized void aborted(String key, int seq) {
        keys.get(key).aborted.set(seq);
    }

    /** A send failed with {@code error}: the record may or may not be in the log. */
    synchronized void failed(Exception error) {
        sendFailures++;
        failureReasons.merge(error.getClass().getSimpleName(), 1L, Long::sum);
    }

    // ------------------------------------------------------------------------------ reading

    /**
     * One record of this run was read.
     *
     * @param nowMs the wall-clock time it was read, or a negative number not to measure latency
     */
    synchronized void read(CheckValue value, int partition, long nowMs) {
        reads++;
        KeyRecords k = keys.get(value.key());
        if (k == null || value.seq() >= k.sent) {
            // a record this run never sent under that number: counted as unacknowledged-but-read
            k = keys.computeIfAbsent(value.key(), x -> new KeyRecords());
            k.sent = Math.max(k.sent, value.seq() + 1);
        }
        if (k.read.get(value.seq())) {
            duplicated++;
            example(duplicateExamples, value.key() + "#" + value.seq() + " (p" + partition + ")");
            return;
        }
        k.read.set(value.seq());
        if (value.seq() < k.highestRead) {
            outOfOrder++;
            example(
                    outOfOrderExamples,
                    value.key() + "#" + value.seq() + " after #" + k.highestRead + " (p" + partition + ")");
        }
        k.highestRead = Math.max(k.highestRead, value.seq());
        if (nowMs >= 0) {
            latency.recordValue(Math.max(0, Math.min(MAX_LATENCY_MS, nowMs - value.sentMs())));
        }
    }

    /** A record that is not this run's was read (another run's, or another writer's). */
    synchronized void foreign() {
        foreign++;
    }

    private static void example(List<String> examples, String example) {
        if (examples.size() < EXAMPLES) {
            examples.add(example);
        }
    }

    // ------------------------------------------------------------------------------ what happened

    /** Counts for the progress display. */
    record Progress(long sent, long acknowledged, long sendFailures, long read) {}

    synchronized Progress progress() {
        long sent = 0;
        long acked = 0;
        for (KeyRecords k : keys.values()) {
            sent += k.sent;
            acked += k.acknowledged.cardinality();
        }
        return new Progress(sent, acked, sendFailures, reads);
    }

    /**
     * Everything counted so far; a record counts as lost once the reader is done.
     *
     * @param latencyMeasured whether the latency was measured (the reader ran beside the writer)
     */
    synchronized CheckSummary.Counts summary(boolean latencyMeasured) {
        long sent = 0;
        long acked = 0;
        long aborted = 0;
        long distinct = 0;
        long lost = 0;
        long unackedRead = 0;
        long abortedRead = 0;
        Map<Integer, Long> lostByPartition = new TreeMap<>();
        List<String> lostExamples = new ArrayList<>();
        for (Map.Entry<String, KeyRecords> e : keys.entrySet()) {
            KeyRecords k = e.getValue();
            sent += k.sent;
            acked += k.acknowledged.cardinality();
            aborted += k.aborted.cardinality();
            distinct += k.read.cardinality();
            BitSet missing = (BitSet) k.acknowledged.clone();
            missing.andNot(k.read);
            if (!missing.isEmpty()) {
                lost += missing.cardinality();
                lostByPartition.merge(k.partition, (long) missing.cardinality(), Long::sum);
                for (int s = missing.nextSetBit(0);
                        s >= 0 && lostExamples.size() < EXAMPLES;
                        s = missing.nextSetBit(s + 1)) {
                    lostExamples.add(e.getKey() + "#" + s + " (p" + k.partition + ")");
                }
            }
            BitSet unacked = (BitSet) k.read.clone();
            unacked.andNot(k.acknowledged);
            unackedRead += unacked.cardinality();
            BitSet readAborted = (BitSet) k.read.clone();
            readAborted.and(k.aborted);
            abortedRead += readAborted.cardinality();
        }
        CheckSummary.Latency lat = latencyMeasured && latency.getTotalCount() > 0
                ? new CheckSummary.Latency(
                        latency.getValueAtPercentile(50), latency.getValueAtPercentile(99), latency.getMaxValue())
                : null;
        return new CheckSummary.Counts(
                sent,
                acked,
                sendFailures,
                new TreeMap<>(failureReasons),
                aborted,
                reads,
                distinct,
                lost,
                lostByPartition,
                lostExamples,
                duplicated,
                List.copyOf(duplicateExamples),
                outOfOrder,
                List.copyOf(outOfOrderExamples),
                unackedRead,
                abortedRead,
                foreign,
                lat);
    }

    // ------------------------------------------------------------------------------ saving

    /** What the writing side knows, for a state file ({@link CheckState}): per key its partition, count and fates. */
    synchronized Map<String, KeyRecords> writtenCopy() {
        Map<String, KeyRecords> out = new LinkedHashMap<>();
        keys.forEach((key, k) -> {
            KeyRecords c = new KeyRecords();
            c.partition = k.partition;
            c.sent = k.sent;
            c.acknowledged.or(k.acknowledged);
            c.aborted.or(k.aborted);
            out.put(key, c);
        });
        return out;
    }

    synchronized Map<String, Long> failureReasons() {
        return new TreeMap<>(failureReasons);
    }

    /** Takes over what a state file says was written, before anything is read. */
    synchronized void restore(Map<String, KeyRecords> written, long failures, Map<String, Long> reasons) {
        keys.clear();
        keys.putAll(written);
        sendFailures = failures;
        failureReasons.clear();
        failureReasons.putAll(reasons);
    }
}
