package io.strand.wal.cleaner;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The cleaner's key → latest offset map over a dirty section: keys are stored as their 128-bit hash ({@link KeyHash},
 * SipHash with a secret key, where Kafka's {@code SkeinSegmentedOffsetMap} uses MD5), in an
 * open-addressing table of 24-byte slots (hash, offset). It starts small and doubles up to the memory it is given
 * ({@code log.cleaner.dedupe.buffer.size} / threads), so a broker whose compacted logs have few keys does not hold
 * 128 MiB per cleaner thread. {@link #isFull} says when the dirty section must be cut.
 *
 * <p>Not thread-safe: one cleaner thread owns it.
 */
final class OffsetMap {
    static final int BYTES_PER_ENTRY = 24;
    private static final int MIN_SLOTS = 1 << 12;

    private final int maxSlots;
    private final double loadFactor;
    private final KeyHash hash = new KeyHash();
    /** Three longs per slot: hash high, hash low, offset + 1 (0 = empty). */
    private long[] table;

    private int slots;
    private int size;
    private long latestOffset = -1;
    private long lookups;
    private long probes;

    OffsetMap(long memoryBytes, double loadFactor) {
        long s = Math.max(MIN_SLOTS, Math.min(memoryBytes / BYTES_PER_ENTRY, Integer.MAX_VALUE / 3));
        this.maxSlots = Integer.highestOneBit((int) s);
        this.loadFactor = loadFactor;
        this.slots = Math.min(MIN_SLOTS, maxSlots);
        this.table = new long[slots * 3];
    }

    /** Keys the map can hold before {@link #isFull}. */
    int capacity() {
        return (int) (maxSlots * loadFactor);
    }

    int size() {
        return size;
    }

    boolean isFull() {
        return size >= capacity();
    }

    /** The share of the map's capacity in use. */
    double utilization() {
        return (double) size / capacity();
    }

    long latestOffset() {
        return latestOffset;
    }

    void updateLatestOffset(long offset) {
        latestOffset = Math.max(latestOffset, offset);
    }

    /** Records {@code offset} as the latest of {@code key} (the caller checked {@link #isFull}). */
    void put(ByteBuffer key, long offset) {
        if (size >= slots * loadFactor && slots < maxSlots) grow();
        hash.hash(key);
        int slot = insert(hash.hi, hash.lo, offset, table, slots);
        if (slot < 0) size++;
        updateLatestOffset(offset);
    }

    /** The latest offset of {@code key} in the map, or -1. */
    long get(ByteBuffer key) {
        hash.hash(key);
        long hashHi = hash.hi;
        long hashLo = hash.lo;
        lookups++;
        int mask = slots - 1;
        int i = (int) hashLo & mask;
        while (true) {
            probes++;
            int at = i * 3;
            long stored = table[at + 2];
            if (stored == 0) return -1;
            if (table[at] == hashHi && table[at + 1] == hashLo) return stored - 1;
            i = (i + 1) & mask;
        }
    }

    void clear() {
        if (size > 0) Arrays.fill(table, 0L);
        size = 0;
        latestOffset = -1;
        lookups = 0;
        probes = 0;
    }

    /** Inserts or overwrites; returns the slot when the key was there, else -1 (a new entry). */
    private static int insert(long hi, long lo, long offset, long[] table, int slots) {
        int mask = slots - 1;
        int i = (int) lo & mask;
        while (true) {
            int at = i * 3;
            long stored = table[at + 2];
            if (stored == 0) {
                table[at] = hi;
                table[at + 1] = lo;
                table[at + 2] = offset + 1;
                return -1;
            }
            if (table[at] == hi && table[at + 1] == lo) {
                table[at + 2] = offset + 1;
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    private void grow() {
        int newSlots = slots * 2;
        long[] bigger = new long[newSlots * 3];
        for (int i = 0; i < slots; i++) {
            int at = i * 3;
            if (table[at + 2] != 0) insert(table[at], table[at + 1], table[at + 2] - 1, bigger, newSlots);
        }
        table = bigger;
        slots = newSlots;
    }
}
