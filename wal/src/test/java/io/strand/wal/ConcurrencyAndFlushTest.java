package io.strand.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.Wait;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordsSend;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent readers and writers, group commit under contention, flush policy, time-based rolls, zero-copy sends. */
class ConcurrencyAndFlushTest {
    static final TopicPartition TP = new TopicPartition("cc", 0);

    @TempDir
    Path tmp;

    @Test
    void shouldServeConsistentReadsWhileAppendingRollingAndDeleting() throws Exception {
        LogConfig cfg = LogConfig.defaults()
                .withSegmentBytes(8 * 1024)
                .withIndexIntervalBytes(512)
                .withFsyncBeforeAck(false);
        try (PartitionLog log = PartitionLog.open(tmp.resolve("cc-0"), TP, Uuid.randomUuid(), cfg)) {
            AtomicBoolean stop = new AtomicBoolean();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            AtomicLong reads = new AtomicLong();
            Thread writer = new Thread(() -> {
                Random r = new Random(1);
                try {
                    while (!stop.get()) {
                        log.appendAsLeader(
                                TestRecords.batch(1 + r.nextInt(5), 10 + r.nextInt(300), 1000, r.nextLong()), 0);
                        long end = log.logEndOffset();
                        log.updateHighWatermark(end);
                        if (r.nextInt(200) == 0 && end > 500) log.deleteRecordsBefore(end - 400);
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            });
            List<Thread> readers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                final long seed = i;
                readers.add(new Thread(() -> {
                    Random r = new Random(seed);
                    while (!stop.get()) {
                        long start = log.logStartOffset();
                        long end = log.logEndOffset();
                        if (end == start) continue;
                        long off = start + (long) (r.nextDouble() * (end - start));
                        try {
                            LogReadResult res = log.read(off, 1 + r.nextInt(20_000), Long.MAX_VALUE, true);
                            List<MutableRecordBatch> bs = TestRecords.batches(res.records());
                            assertTrue(
                                    bs.get(0).baseOffset() <= off
                                            && off <= bs.get(0).lastOffset(),
                                    "first batch holds the offset");
                            long expected = bs.get(0).baseOffset();
                            for (MutableRecordBatch b : bs) {
                                assertEquals(expected, b.baseOffset());
                                expected = b.nextOffset();
                            }
                            assertTrue(expected <= res.logEndOffset());
                            reads.incrementAndGet();
                        } catch (OffsetOutOfRangeException e) {
                            // retention moved the start meanwhile
                        } catch (Throwable t) {
                            errors.add(t);
                            return;
                        }
                    }
                }));
            }
            writer.start();
            readers.forEach(Thread::start);
            try {
                // enough of everything racing: reads, rolls and deletions of the log start
                Wait.waitUntil(
                        "1,000 reads while the writer rolled segments and deleted records",
                        Duration.ofSeconds(60),
                        () -> {
                            if (!errors.isEmpty()) throw new AssertionError("concurrent access failed", errors.get(0));
                            return reads.get() >= 1000 && log.numberOfSegments() > 1 && log.logStartOffset() > 0;
                        },
                        () -> reads.get() + " reads, " + log.numberOfSegments() + " segments, log start "
                                + log.logStartOffset());
            } finally {
                stop.set(true);
                writer.join();
                for (Thread t : readers) t.join();
            }
            if (!errors.isEmpty()) throw new AssertionError("concurrent access failed", errors.get(0));
            assertTrue(reads.get() > 100, "reads: " + reads.get());
            assertTrue(log.numberOfSegments() > 1);
        }
    }

    @Test
    void shouldGroupConcurrentDurableAppendsAndNotifyListenersInOrder() throws Exception {
        try (PartitionLog log = PartitionLog.open(tmp.resolve("cc-0"), TP, Uuid.randomUuid(), LogConfig.defaults())) {
            List<Long> seen = new CopyOnWriteArrayList<>();
            log.addDurableListener(seen::add);
            List<Long> firsts = Collections.synchronizedList(new ArrayList<>());
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                ts.add(new Thread(() -> {
                    for (int i = 0; i < 50; i++) {
                        AppendResult r = log.appendAsLeader(TestRecords.batch(2, 100), 0);
                        log.awaitDurable(r.nextOffset()).join();
                        assertTrue(log.durableEndOffset() >= r.nextOffset());
                        firsts.add(r.firstOffset());
                    }
                }));
            }
            ts.forEach(Thread::start);
            for (Thread t : ts) t.join();
            assertEquals(400, firsts.size());
            List<Long> sorted = new ArrayList<>(firsts);
            Collections.sort(sorted);
            for (int i = 0; i < sorted.size(); i++) assertEquals(2L * i, sorted.get(i));
            Wait.waitUntil(
                    "the listeners saw offset 800", // they run just after the futures complete
                    Duration.ofSeconds(10),
                    () -> !seen.isEmpty() && seen.get(seen.size() - 1) == 800L);
            for (int i = 1; i < seen.size(); i++)
                assertTrue(seen.get(i) > seen.get(i - 1), "listener values increase: " + seen);
            assertTrue(seen.size() < 400, "fewer fsyncs than appends: " + seen.size());
        }
    }

    @Test
    void shouldCallExecutorListenersOffTheFlusherOnceForABurstOfFsyncs() throws Exception {
        java.util.concurrent.ExecutorService pool =
                java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "test-listener-pool"));
        AtomicLong submitted = new AtomicLong();
        java.util.concurrent.Executor counting = task -> {
            submitted.incrementAndGet();
            pool.execute(task);
        };
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (PartitionLog log = PartitionLog.open(tmp.resolve("cc-0"), TP, Uuid.randomUuid(), LogConfig.defaults())) {
            List<Long> seen = new CopyOnWriteArrayList<>();
            List<String> threads = new CopyOnWriteArrayList<>();
            log.addDurableListener(
                    end -> {
                        seen.add(end);
                        threads.add(Thread.currentThread().getName());
                    },
                    counting);
            pool.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            // 20 fsync passes, one after the other, while the listener's executor is busy
            for (int i = 0; i < 20; i++) {
                AppendResult r = log.appendAsLeader(TestRecords.batch(2, 100), 0);
                log.awaitDurable(r.nextOffset()).get(10, TimeUnit.SECONDS);
            }
            assertEquals(1, submitted.get(), "one notification task for the whole burst");
            assertTrue(seen.isEmpty());
            release.countDown();
            Wait.waitUntil(
                    "the listener saw 40",
                    Duration.ofSeconds(10),
                    () -> !seen.isEmpty() && seen.get(seen.size() - 1) == 40L);
            // another advance after the task ran is not missed
            AppendResult r = log.appendAsLeader(TestRecords.batch(2, 100), 0);
            log.awaitDurable(r.nextOffset()).get(10, TimeUnit.SECONDS);
            Wait.waitUntil("the listener saw 42", Duration.ofSeconds(10), () -> seen.get(seen.size() - 1) == 42L);
            for (int i = 1; i < seen.size(); i++)
                assertTrue(seen.get(i) > seen.get(i - 1), "listener values increase: " + seen);
            for (String t : threads) assertEquals("test-listener-pool", t, "listener ran on its executor");
            assertTrue(submitted.get() <= 1 + seen.size(), "tasks: " + submitted.get() + ", calls: " + seen);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void shouldCallDirectListenersOnTheFlusherThread() throws Exception {
        try (PartitionLog log = PartitionLog.open(tmp.resolve("cc-0"), TP, Uuid.randomUuid(), LogConfig.defaults())) {
            List<String> threads = new CopyOnWriteArrayList<>();
            log.addDurableListener(end -> threads.add(Thread.currentThread().getName()));
            AppendResult r = log.appendAsLeader(TestRecords.batch(2, 100), 0);
            log.awaitDurable(r.nextOffset()).get(10, TimeUnit.SECONDS);
            Wait.waitUntil("the listener was called", Duration.ofSeconds(10), () -> !threads.isEmpty());
            assertTrue(threads.get(0).startsWith("strand-wal-flusher-"), threads.toString());
        }
    }

    @Test
    void shouldFlushByMessageCountAndByTimeInRelaxedMode() throws Exception {
        MockTime time = new MockTime(1_000_000);
        LogConfig relaxed = LogConfig.defaults().withFsyncBeforeAck(false).withFlushIntervalMessages(10);
        try (PartitionLog log = PartitionLog.open(tmp.resolve("cc-0"), TP, Uuid.randomUuid(), relaxed, time)) {
            log.appendAsLeader(TestRecords.batch(4, 10), 0);
            assertEquals(4, log.durableEndOffset(), "relaxed: the log end offset counts as durable");
            // the append decides on the appending thread whether to ask for an fsync, and an fsync asked for runs
            // on a flusher thread at once: 100 ms without one shows that none was asked for
            Wait.assertStaysTrue(
                    "no fsync before flush.messages", Duration.ofMillis(100), () -> log.recoveryPoint() == 0);
            log.appendAsLeader(TestRecords.batch(6, 10), 0);
            Wait.waitUntil("an fsync at flush.messages", Duration.ofSeconds(10), () -> log.recoveryPoint() == 10);
            log.updateConfig(relaxed.withFlushIntervalMessages(Long.MAX_VALUE).withFlushIntervalMs(5000));
            log.appendAsLeader(TestRecords.batch(3, 10), 0);
            log.maybeFlushByTime(time.milliseconds() + 1000);
            // as above: maybeFlushByTime asks for the fsync (or not) before it returns
            Wait.assertStaysTrue("flush.ms not reached", Duration.ofMillis(100), () -> log.recoveryPoint() == 10);
            log.maybeFlushByTime(time.milliseconds() + 6000);
            Wait.waitUntil("an fsync once flush.ms passed", Duration.ofSeconds(10), () -> log.recoveryPoint() == 13);
            // back to durable: the durable end offset waits for fsyncs again
            log.updateConfig(LogConfig.defaults());
            AppendResult r = log.appendAsLeader(TestRecords.batch(1, 10), 0);
            log.awaitDurable(r.nextOffset()).get(10, TimeUnit.SECONDS);
            assertEquals(14, log.recoveryPoint());
        }
    }

    @Test
    void shouldRollByTime() {
        MockTime time = new MockTime(1_000_000);
        LogConfig cfg = LogConfig.defaults().withSegmentMs(60_000);
        try (PartitionLog log = PartitionLog.open(tmp.resolve("cc-0"), TP, Uuid.randomUuid(), cfg, time)) {
            // record timestamps decide when the first batch has one (Kafka's rule)
            log.appendAsLeader(TestRecords.batchWithTimestamps(5_000), 0);
            log.appendAsLeader(TestRecords.batchWithTimestamps(64_000), 0);
            assertEquals(1, log.numberOfSegments());
            log.appendAsLeader(TestRecords.batchWithTimestamps(65_001), 0);
            assertEquals(2, log.numberOfSegments());
            // without timestamps the wall clock decides
            log.truncateFullyAndStartAt(100);
            log.appendAsLeader(
                    MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(-1L, null, "x".getBytes())), 0);
            time.advance(59_000);
            log.appendAsLeader(
                    MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(-1L, null, "y".getBytes())), 0);
            assertEquals(1, log.numberOfSegments());
            time.advance(2_000);
            log.appendAsLeader(
                    MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(-1L, null, "z".getBytes())), 0);
            assertEquals(2, log.numberOfSegments());
        }
    }

    /** A TransferableChannel over a file, standing in for a socket. */
    static final class FileTransferableChannel implements TransferableChannel {
        final FileChannel out;

        FileTransferableChannel(FileChannel out) {
            this.out = out;
        }

        @Override
        public boolean hasPendingWrites() {
            return false;
        }

        @Override
        public long transferFrom(FileChannel fileChannel, long position, long count) throws IOException {
            return fileChannel.transferTo(position, count, out);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return out.write(srcs, offset, length);
        }

        @Override
        public long write(ByteBuffer[] srcs) throws IOException {
            return out.write(srcs);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return out.write(src);
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    @Test
    void shouldSendASliceWithZeroCopy() throws Exception {
        try (PartitionLog log = PartitionLog.open(
                tmp.resolve("cc-0"), TP, Uuid.randomUuid(), LogConfig.defaults().withFsyncBeforeAck(false))) {
            for (int i = 0; i < 20; i++) log.appendAsLeader(TestRecords.batch(5, 200), 0);
            FileSlice slice =
                    (FileSlice) log.read(10, 5000, Long.MAX_VALUE, true).records();
            Path out = tmp.resolve("sent");
            try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                RecordsSend<?> send = slice.toSend();
                TransferableChannel dest = new FileTransferableChannel(ch);
                while (!send.completed()) send.writeTo(dest);
                assertEquals(slice.sizeInBytes(), send.size());
            }
            assertArrayEquals(TestRecords.bytes(slice), Files.readAllBytes(out));
            assertEquals(10, TestRecords.batches(slice).get(0).baseOffset());
        }
    }
}
