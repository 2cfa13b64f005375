package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.MemoryTempDir;
import io.strand.testing.SlowTest;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many partitions in a small heap: 2,000 partitions open at once, with Kafka's default segment and index sizes, in durable mode,
 * within the 1 GiB heap surefire gives the tests; heap use must not grow with the amount of data.
 */
@SlowTest
class ManyPartitionsTest {
    static final int PARTITIONS = 2000;

    // heap is measured here, not the disk: 340 MB written, synced and deleted in memory
    @TempDir(factory = MemoryTempDir.class)
    Path tmp;

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50); // lets the collection settle before the heap is measured
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void shouldKeepTwoThousandPartitionsOpenInASmallHeap() throws Exception {
        assertTrue(Runtime.getRuntime().maxMemory() <= 1100L * 1024 * 1024, "run with -Xmx1g");
        LogConfig cfg = LogConfig.defaults();
        Uuid id = Uuid.randomUuid();
        long before = usedHeapAfterGc();
        long t0 = System.nanoTime();
        long afterOpen;
        long afterData;
        try (LogManager m = new LogManager(List.of(tmp), cfg)) {
            m.startup();
            List<CompletableFuture<Void>> durable = java.util.Collections.synchronizedList(new ArrayList<>());
            // created from 8 threads, as request handlers would: creations of different partitions run in parallel
            java.util.concurrent.ExecutorService creators = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    TopicPartition tp = new TopicPartition("many", p);
                    fs.add(creators.submit(() -> {
                        PartitionLog log = m.getOrCreate(tp, id, cfg);
                        AppendResult r = log.appendAsLeader(TestRecords.batch(4, 100), 0);
                        durable.add(log.awaitDurable(r.nextOffset()));
                    }));
                }
                for (java.util.concurrent.Future<?> f : fs) f.get(120, TimeUnit.SECONDS);
            } finally {
                creators.shutdown();
            }
            CompletableFuture.allOf(durable.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
            System.out.printf("created and made durable in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            afterOpen = usedHeapAfterGc();
            // more data: heap must not follow it (segments on disk, indexes memory-mapped). Relaxed mode here only
            // to keep 20,000 single-partition fsyncs out of the test's run time.
            MemoryRecords big = TestRecords.batch(16, 1024);
            for (PartitionLog log : m.all()) log.updateConfig(cfg.withFsyncBeforeAck(false));
            for (int round = 0; round < 10; round++) {
                for (int p = 0; p < PARTITIONS; p += 1)
                    m.get(new TopicPartition("many", p)).orElseThrow().appendAsLeader(big, 0);
            }
            afterData = usedHeapAfterGc();
            System.out.printf("data appended at %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            long dataBytes =
                    m.all().stream().mapToLong(PartitionLog::sizeInBytes).sum();
            System.out.printf(
                    "2000 partitions: heap before %d MiB, after opening %d MiB, after %d MiB of data %d MiB%n",
                    before >> 20, afterOpen >> 20, dataBytes >> 20, afterData >> 20);
            assertEquals(PARTITIONS, m.all().size());
            assertTrue(
                    afterOpen - before < 200L * 1024 * 1024,
                    "heap for 2000 open partitions: " + ((afterOpen - before) >> 20) + " MiB");
            assertTrue(
                    afterData - afterOpen < 64L * 1024 * 1024,
                    "heap grew with data: " + ((afterData - afterOpen) >> 20) + " MiB");
        }
        System.out.printf("closed at %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        // and they all load again (clean shutdown: no recovery scan)
        t0 = System.nanoTime();
        try (LogManager m = new LogManager(List.of(tmp), cfg)) {
            m.startup();
            long loadMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(PARTITIONS, m.all().size());
            for (int p = 0; p < PARTITIONS; p += 97) {
                PartitionLog log = m.get(new TopicPartition("many", p)).orElseThrow();
                assertEquals(164, log.logEndOffset());
                assertEquals(
                        11,
                        TestRecords.batches(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true)
                                        .records())
                                .size());
            }
            System.out.printf("2000 partitions reloaded in %d ms, heap %d MiB%n", loadMs, usedHeapAfterGc() >> 20);
        }
    }
}
