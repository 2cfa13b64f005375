package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sparse offset and time indexes on their own. */
class IndexTest {
    @TempDir
    Path tmp;

    @Test
    void shouldLookUpTheLastEntryAtOrBelowAnOffset() throws Exception {
        OffsetIndex idx = new OffsetIndex(tmp.resolve("100.index"), 100, 8 * 10, true);
        assertEquals(new OffsetIndex.Entry(100, 0), idx.lookup(150), "empty index: segment start");
        idx.append(110, 500);
        idx.append(120, 1000);
        idx.append(135, 1700);
        assertEquals(new OffsetIndex.Entry(100, 0), idx.lookup(100));
        assertEquals(new OffsetIndex.Entry(100, 0), idx.lookup(109));
        assertEquals(new OffsetIndex.Entry(110, 500), idx.lookup(110));
        assertEquals(new OffsetIndex.Entry(110, 500), idx.lookup(119));
        assertEquals(new OffsetIndex.Entry(120, 1000), idx.lookup(134));
        assertEquals(new OffsetIndex.Entry(135, 1700), idx.lookup(135));
        assertEquals(new OffsetIndex.Entry(135, 1700), idx.lookup(Long.MAX_VALUE / 2));
        assertEquals(new OffsetIndex.Entry(120, 1000), idx.floorByPosition(1699, 200));
        assertEquals(new OffsetIndex.Entry(110, 500), idx.floorByPosition(5000, 119));
        assertNull(idx.floorByPosition(499, 200));
        assertThrows(IllegalArgumentException.class, () -> idx.append(135, 1800), "offsets must increase");
        assertThrows(IllegalArgumentException.class, () -> idx.append(140, 1700), "positions must increase");
        idx.truncateTo(120);
        assertEquals(1, idx.entries());
        assertEquals(new OffsetIndex.Entry(110, 500), idx.lookup(200));
        idx.append(121, 1100);
        idx.close();
        assertEquals(16, Files.size(tmp.resolve("100.index")), "closed index trimmed to its entries");

        OffsetIndex reopened = new OffsetIndex(tmp.resolve("100.index"), 100, 8 * 10, false);
        assertEquals(2, reopened.entries());
        assertEquals(new OffsetIndex.Entry(121, 1100), reopened.lookup(125));
        reopened.resize(80);
        reopened.append(130, 1200);
        assertEquals(new OffsetIndex.Entry(130, 1200), reopened.lastEntry());
        reopened.close();
    }

    @Test
    void shouldFillUpAndReportFull() throws Exception {
        OffsetIndex idx = new OffsetIndex(tmp.resolve("0.index"), 0, 8 * 3 + 5, true);
        assertEquals(3, idx.maxEntries(), "size rounded down to whole entries");
        idx.append(1, 10);
        idx.append(2, 20);
        idx.append(3, 30);
        assertTrue(idx.isFull());
        assertThrows(IllegalStateException.class, () -> idx.append(4, 40));
        idx.close();
    }

    @Test
    void shouldKeepTimestampsIncreasingAndLookUpByTime() throws Exception {
        TimeIndex ti = new TimeIndex(tmp.resolve("50.timeindex"), 50, 12 * 10, true);
        assertEquals(new TimeIndex.Entry(-1, 50), ti.lookup(1000));
        ti.maybeAppend(1000, 55, false);
        ti.maybeAppend(999, 60, false); // not larger: ignored
        ti.maybeAppend(1000, 61, false); // equal: ignored
        ti.maybeAppend(1500, 70, false);
        ti.maybeAppend(2000, 70, false);
        assertEquals(3, ti.entries());
        assertEquals(new TimeIndex.Entry(-1, 50), ti.lookup(999));
        assertEquals(new TimeIndex.Entry(1000, 55), ti.lookup(1000));
        assertEquals(new TimeIndex.Entry(1000, 55), ti.lookup(1499));
        assertEquals(new TimeIndex.Entry(2000, 70), ti.lookup(5000));
        ti.truncateTo(70);
        assertEquals(new TimeIndex.Entry(1000, 55), ti.lastEntry());
        assertThrows(IllegalArgumentException.class, () -> ti.maybeAppend(3000, 54, false));
        ti.close();
    }

    @Test
    void shouldKeepASlotForTheClosingTimeIndexEntry() throws Exception {
        TimeIndex ti = new TimeIndex(tmp.resolve("0.timeindex"), 0, 12 * 3, true);
        ti.maybeAppend(1, 1, false);
        ti.maybeAppend(2, 2, false);
        assertTrue(ti.isFull());
        ti.maybeAppend(3, 3, true);
        assertEquals(3, ti.entries());
        ti.close();
    }
}
