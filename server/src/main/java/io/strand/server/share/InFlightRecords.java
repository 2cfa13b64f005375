package io.strand.server.share;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The in-flight window of one share partition: the share-partition start offset (SPSO), the end
 * offset (one past the last offset ever acquired, where new records are read from) and, per offset in
 * between that holds a record, its state, delivery count, holder and acquisition. An offset in the
 * window without an entry has no record (a compacted gap, a control batch): it counts as done.
 *
 * <p>Not thread-safe: its {@link SharePartition} guards it.
 */
final class InFlightRecords {
    /** One record in flight. */
    static final class Entry {
        RecordState state;
        int deliveryCount;
        /** The member holding it while ACQUIRED, else null. */
        String memberId;
        /** The acquisition (lock) it was last acquired or renewed in; its timer releases it. */
        long acquisitionId;

        Entry(RecordState state, int deliveryCount) {
            this.state = state;
            this.deliveryCount = deliveryCount;
        }
    }

    final TreeMap<Long, Entry> entries = new TreeMap<>();
    long startOffset;
    long endOffset;

    InFlightRecords(long startOffset) {
        this.startOffset = startOffset;
        this.endOffset = startOffset;
    }

    /** The window restored from persisted state; an available record delivered {@code limit} times is archived. */
    static InFlightRecords restore(ShareState state, int deliveryCountLimit) {
        InFlightRecords r = new InFlightRecords(state.startOffset());
        for (ShareState.Batch b : state.batches()) {
            for (long o = Math.max(b.firstOffset(), state.startOffset()); o <= b.lastOffset(); o++) {
                RecordState s = b.state() == RecordState.ACQUIRED ? RecordState.AVAILABLE : b.state();
                if (s == RecordState.AVAILABLE && b.deliveryCount() >= deliveryCountLimit) {
                    s = RecordState.ARCHIVED;
                }
                r.entries.put(o, new Entry(s, b.deliveryCount()));
                r.endOffset = Math.max(r.endOffset, o + 1);
            }
        }
        // offsets between the persisted ranges were read before, never delivered: available again
        for (long o = r.startOffset; o < r.endOffset; o++) {
            r.entries.putIfAbsent(o, new Entry(RecordState.AVAILABLE, 0));
        }
        r.advanceStart();
        return r;
    }

    int size() {
        return entries.size();
    }

    /** Moves the SPSO past the contiguous prefix of done offsets; true if it moved. */
    boolean advanceStart() {
        long before = startOffset;
        while (startOffset < endOffset) {
            Entry e = entries.get(startOffset);
            if (e != null && !e.state.isTerminal()) {
                break;
            }
            entries.remove(startOffset);
            startOffset++;
        }
        return startOffset != before;
    }

    /** Drops everything below {@code offset} (records gone from the log): the SPSO becomes at least {@code offset}. */
    void moveStartTo(long offset) {
        if (offset <= startOffset) {
            return;
        }
        entries.headMap(offset, false).clear();
        startOffset = offset;
        endOffset = Math.max(endOffset, offset);
        advanceStart();
    }

    /** The lowest AVAILABLE offset in the window, or -1. */
    long firstAvailable() {
        for (Map.Entry<Long, Entry> e : entries.entrySet()) {
            if (e.getValue().state == RecordState.AVAILABLE) {
                return e.getKey();
            }
        }
        return -1;
    }

    /** Records acknowledged or archived above the SPSO (WriteShareGroupState v1's delivery complete count). */
    int deliveryCompleteCount() {
        int n = 0;
        for (Entry e : entries.values()) {
            if (e.state.isTerminal()) {
                n++;
            }
        }
        return n;
    }

    boolean anyAcquired() {
        for (Entry e : entries.values()) {
            if (e.state == RecordState.ACQUIRED) {
                return true;
            }
        }
        return false;
    }

    /**
     * The state to persist: every record not "available, never delivered", in ranges of equal state and
     * delivery count; an acquired record is written as available with its delivery count (if this leader
     * fails, it is delivered again and its count goes on).
     */
    ShareState snapshot(int stateEpoch, int leaderEpoch) {
        List<ShareState.Batch> batches = new ArrayList<>();
        long first = -1;
        long last = -1;
        RecordState state = null;
        int count = 0;
        Iterator<Map.Entry<Long, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Entry> me = it.next();
            Entry e = me.getValue();
            RecordState s = e.state == RecordState.ACQUIRED ? RecordState.AVAILABLE : e.state;
            if (s == RecordState.AVAILABLE && e.deliveryCount == 0) {
                continue;
            }
            long o = me.getKey();
            if (first >= 0 && o == last + 1 && s == state && e.deliveryCount == count) {
                last = o;
                continue;
            }
            if (first >= 0) {
                batches.add(new ShareState.Batch(first, last, state, count));
            }
            first = o;
            last = o;
            state = s;
            count = e.deliveryCount;
        }
        if (first >= 0) {
            batches.add(new ShareState.Batch(first, last, state, count));
        }
        return new ShareState(stateEpoch, leaderEpoch, startOffset, deliveryCompleteCount(), List.copyOf(batches));
    }
}
