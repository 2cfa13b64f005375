package io.strand.wal.bench;

import io.strand.wal.AppendResult;
import io.strand.wal.FileSlice;
import io.strand.wal.LogConfig;
import io.strand.wal.LogReadResult;
import io.strand.wal.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * WAL benchmark against the bare disk, run with {@code bin/strand-bench-wal [options]}.
 *
 * <ol>
 *   <li>(a) append throughput, no fsync: {@link PartitionLog#appendAsLeader} of 16 KiB batches (16 records of 1 KiB)
 *       in relaxed mode, against writing the same bytes with a bare {@link FileChannel};</li>
 *   <li>(b) fsync before ack: 8 threads appending and each waiting for {@link PartitionLog#awaitDurable} (group
 *       commit), against a bare FileChannel that writes each batch and fsyncs it (one fsync per append);</li>
 *   <li>(c) sequential read through {@link PartitionLog#read} (slices copied into a direct buffer), against reading
 *       the segment files with a bare FileChannel.</li>
 * </ol>
 * Each comparison warms up first, then alternates the two sides for several rounds (order flipped every round),
 * and reports the median and the spread (min..max) of each side and of the per-round ratio.
 *
 * <p>Options: {@code --dir PATH} (default {@code wal/target/bench}), {@code --mb N} bytes per throughput run (512),
 * {@code --rounds N} (5), {@code --seconds N} per durable run (4), {@code --appenders N} (8).
 */
public final class WalBench {
    private static final int RECORD_SIZE = 1024;
    private static final int RECORDS_PER_BATCH = 16;
    private static final TopicPartition TP = new TopicPartition("bench", 0);

    private final Path dir;
    private final long bytesPerRun;
    private final int rounds;
    private final int seconds;
    private final int appenders;

    private WalBench(Path dir, long bytesPerRun, int rounds, int seconds, int appenders) {
        this.dir = dir;
        this.bytesPerRun = bytesPerRun;
        this.rounds = rounds;
        this.seconds = seconds;
        this.appenders = appenders;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get("wal/target/bench");
        long mb = 512;
        int rounds = 5;
        int seconds = 4;
        int appenders = 8;
        String only = "abc";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Paths.get(args[++i]);
                case "--mb" -> mb = Long.parseLong(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--appenders" -> appenders = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                default -> {
                    System.err.println(
                            "usage: WalBench [--dir PATH] [--mb N] [--rounds N] [--seconds N] [--appenders N] [--only abc]");
                    System.exit(2);
                }
            }
        }
        Files.createDirectories(dir);
        WalBench b = new WalBench(dir, mb * 1024 * 1024, rounds, seconds, appenders);
        System.out.printf(
                Locale.ROOT,
                "WAL benchmark: dir=%s, %d MiB per throughput run, %d rounds, %d s per durable run, %d appenders, "
                        + "batches of %d x %d B records (%d B), %d cores, java %s%n",
                dir.toAbsolutePath(),
                mb,
                rounds,
                seconds,
                appenders,
                RECORDS_PER_BATCH,
                RECORD_SIZE,
                batches(1, 1).get(0).sizeInBytes(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        if (only.contains("a")) b.appendThroughput();
        if (only.contains("b")) b.durableAppends();
        if (only.contains("c")) b.readThroughput();
    }

    /** Distinct 16 KiB batches (random values); appends stamp offsets into them in place, which the log allows. */
    static List<MemoryRecords> batches(int n, long seed) {
        Random r = new Random(seed);
        List<MemoryRecords> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SimpleRecord[] recs = new SimpleRecord[RECORDS_PER_BATCH];
            for (int j = 0; j < RECORDS_PER_BATCH; j++) {
                byte[] v = new byte[RECORD_SIZE];
                r.nextBytes(v);
                recs[j] = new SimpleRecord(System.currentTimeMillis(), null, v);
            }
            out.add(MemoryRecords.withRecords(Compression.NONE, recs));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------- (a)

    private void appendThroughput() throws IOException {
        System.out.println();
        System.out.println("(a) append throughput without fsync, MB/s (1 MB = 10^6 bytes)");
        List<MemoryRecords> pool = batches(64, 1);
        System.out.print("  warming up");
        long warm = Math.min(bytesPerRun, 1024L * 1024 * 1024);
        for (int w = 0; w < 3; w++) {
            System.out.printf(
                    Locale.ROOT, " [bare %.0f, WAL %.0f MB/s]", bareSequential(pool, warm), walSequential(pool, warm));
            System.out.flush();
        }
        System.out.println();
        double[] bare = new double[rounds];
        double[] wal = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            if (r % 2 == 0) {
                bare[r] = bareSequential(pool, bytesPerRun);
                wal[r] = walSequential(pool, bytesPerRun);
            } else {
                wal[r] = walSequential(pool, bytesPerRun);
                bare[r] = bareSequential(pool, bytesPerRun);
            }
            System.out.printf(
                    Locale.ROOT,
                    "  round %d: bare FileChannel %.0f MB/s, WAL %.0f MB/s, ratio %.2f%n",
                    r + 1,
                    bare[r],
                    wal[r],
                    wal[r] / bare[r]);
        }
        report("bare FileChannel write", bare, "MB/s");
        report("WAL appendAsLeader", wal, "MB/s");
        reportRatio("WAL / bare (target >= 0.80)", wal, bare);
    }

    private double bareSequential(List<MemoryRecords> pool, long total) throws IOException {
        Path f = dir.resolve("bare.log");
        Files.deleteIfExists(f);
        long written = 0;
        long t0;
        long t1;
        try (FileChannel ch =
                FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            t0 = System.nanoTime();
            int i = 0;
            while (written < total) {
                ByteBuffer b = pool.get(i++ & 63).buffer().duplicate();
                while (b.hasRemaining()) written += ch.write(b);
            }
            t1 = System.nanoTime();
            ch.force(true); // untimed: do not leave dirty pages to the next run
        }
        Files.delete(f);
        settle();
        return written / ((t1 - t0) / 1e3);
    }

    private double walSequential(List<MemoryRecords> pool, long total) throws IOException {
        Path d = dir.resolve("bench-0");
        deleteDir(d);
        LogConfig cfg = LogConfig.defaults().withFsyncBeforeAck(false);
        long written = 0;
        long t0;
        long t1;
        try (PartitionLog log = PartitionLog.open(d, TP, Uuid.randomUuid(), cfg)) {
            t0 = System.nanoTime();
            int i = 0;
            while (written < total)
                written += log.appendAsLeader(pool.get(i++ & 63), 0).validBytes();
            t1 = System.nanoTime();
            log.flush(); // untimed
        }
        deleteDir(d);
        settle();
        return written / ((t1 - t0) / 1e3);
    }

    // ---------------------------------------------------------------------------------------------- (b)

    private void durableAppends() throws Exception {
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "(b) fsync before ack, appends/s: WAL with %d appenders (group commit) vs bare FileChannel write+fsync per append%n",
                appenders);
        long warmMs = Math.max(2000, seconds * 1000L);
        System.out.printf(
                Locale.ROOT,
                "  warming up [bare %.0f, WAL %.0f appends/s]%n",
                bareFsyncEach(warmMs),
                walDurable(warmMs, appenders)[0]);
        double[] bare = new double[rounds];
        double[] wal = new double[rounds];
        double[] fsyncsPer = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double[] w;
            if (r % 2 == 0) {
                bare[r] = bareFsyncEach(seconds * 1000L);
                w = walDurable(seconds * 1000L, appenders);
            } else {
                w = walDurable(seconds * 1000L, appenders);
                bare[r] = bareFsyncEach(seconds * 1000L);
            }
            wal[r] = w[0];
            fsyncsPer[r] = w[1];
            System.out.printf(
                    Locale.ROOT,
                    "  round %d: bare write+fsync %.0f appends/s, WAL %.0f appends/s (%.0f MB/s, %.1f appends per fsync), ratio %.2f%n",
                    r + 1,
                    bare[r],
                    wal[r],
                    wal[r] * batchBytes() / 1e6,
                    w[1],
                    wal[r] / bare[r]);
        }
        report("bare write+fsync per append", bare, "appends/s");
        report("WAL durable, " + appenders + " appenders", wal, "appends/s");
        report("appends per fsync", fsyncsPer, "");
        reportRatio("WAL group commit / one fsync per append (target >= 4)", wal, bare);
    }

    private static int batchBytes() {
        return RECORDS_PER_BATCH * (RECORD_SIZE + 12) + 61;
    }

    private double bareFsyncEach(long durationMs) throws IOException {
        List<MemoryRecords> pool = batches(16, 2);
        Path f = dir.resolve("bare-fsync.log");
        Files.deleteIfExists(f);
        long n = 0;
        long t0;
        long t1;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            t0 = System.nanoTime();
            long end = t0 + durationMs * 1_000_000L;
            do {
                ByteBuffer b = pool.get((int) (n & 15)).buffer().duplicate();
                while (b.hasRemaining()) ch.write(b);
                ch.force(false);
                n++;
                t1 = System.nanoTime();
            } while (t1 < end);
        }
        Files.delete(f);
        settle();
        return n / ((t1 - t0) / 1e9);
    }

    /** Returns {appends/s, appends per fsync}. */
    private double[] walDurable(long durationMs, int threads) throws Exception {
        Path d = dir.resolve("bench-durable-0");
        deleteDir(d);
        LogConfig cfg = LogConfig.defaults();
        AtomicLong acked = new AtomicLong();
        AtomicLong advances = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Throwable> errors = new ArrayList<>();
        long t0;
        long t1;
        try (PartitionLog log = PartitionLog.open(d, TP, Uuid.randomUuid(), cfg)) {
            log.addDurableListener(off -> advances.incrementAndGet());
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                List<MemoryRecords> pool = batches(8, 100 + i);
                Thread t = new Thread(
                        () -> {
                            try {
                                start.await();
                                int k = 0;
                                while (!stop.get()) {
                                    AppendResult r = log.appendAsLeader(pool.get(k++ & 7), 0);
                                    log.awaitDurable(r.nextOffset()).join();
                                    acked.incrementAndGet();
                                }
                            } catch (Throwable e) {
                                synchronized (errors) {
                                    errors.add(e);
                                }
                            }
                        },
                        "appender-" + i);
                t.start();
                ts.add(t);
            }
            t0 = System.nanoTime();
            start.countDown();
            Thread.sleep(durationMs);
            stop.set(true);
            for (Thread t : ts) t.join();
            t1 = System.nanoTime();
        }
        deleteDir(d);
        settle();
        if (!errors.isEmpty()) throw new IllegalStateException("appender failed", errors.get(0));
        double secs = (t1 - t0) / 1e9;
        return new double[] {acked.get() / secs, acked.get() / (double) Math.max(1, advances.get())};
    }

    // ---------------------------------------------------------------------------------------------- (c)

    private void readThroughput() throws IOException {
        System.out.println();
        System.out.println(
                "(c) sequential read throughput (page cache warm), MB/s: PartitionLog.read(offset, 1 MiB) vs bare FileChannel reads of the same byte ranges");
        Path d = dir.resolve("bench-read-0");
        deleteDir(d);
        List<MemoryRecords> pool = batches(64, 3);
        LogConfig cfg = LogConfig.defaults().withFsyncBeforeAck(false);
        try (PartitionLog log = PartitionLog.open(d, TP, Uuid.randomUuid(), cfg)) {
            long written = 0;
            int i = 0;
            while (written < bytesPerRun)
                written += log.appendAsLeader(pool.get(i++ & 63), 0).validBytes();
            log.flush();
            log.updateHighWatermark(log.logEndOffset());
            ByteBuffer buf = ByteBuffer.allocateDirect(2 * 1024 * 1024);
            List<FileChannel> segs = new ArrayList<>();
            for (Path p : segmentFiles(d)) segs.add(FileChannel.open(p, StandardOpenOption.READ));
            List<Integer> chunks = new ArrayList<>();
            walRead(log, buf, chunks);
            bareRead(segs, buf, chunks);
            walRead(log, buf, null);
            bareRead(segs, buf, chunks);
            double[] bare = new double[rounds];
            double[] wal = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    bare[r] = bareRead(segs, buf, chunks);
                    wal[r] = walRead(log, buf, null);
                } else {
                    wal[r] = walRead(log, buf, null);
                    bare[r] = bareRead(segs, buf, chunks);
                }
                System.out.printf(
                        Locale.ROOT,
                        "  round %d: bare %.0f MB/s, WAL read() %.0f MB/s, ratio %.2f%n",
                        r + 1,
                        bare[r],
                        wal[r],
                        wal[r] / bare[r]);
            }
            report("bare FileChannel read", bare, "MB/s");
            report("WAL read()", wal, "MB/s");
            reportRatio("WAL / bare", wal, bare);
            for (FileChannel c : segs) c.close();
        }
        deleteDir(d);
    }

    /** Reads the whole log through read(); records the slice sizes in {@code chunks} if given. */
    private static double walRead(PartitionLog log, ByteBuffer buf, List<Integer> chunks) throws IOException {
        long t0 = System.nanoTime();
        long offset = log.logStartOffset();
        long end = log.logEndOffset();
        long bytes = 0;
        while (offset < end) {
            LogReadResult r = log.read(offset, 1024 * 1024, end, true);
            FileSlice s = (FileSlice) r.records();
            buf.clear().limit(s.sizeInBytes());
            while (buf.hasRemaining()) s.channel().read(buf, s.position() + buf.position());
            bytes += s.sizeInBytes();
            offset = s.nextOffset();
            if (chunks != null) chunks.add(s.sizeInBytes());
        }
        return bytes / ((System.nanoTime() - t0) / 1e3);
    }

    /**
     * Reads the segment files in the same chunks as the WAL's slices (the chunk size matters: on some kernels
     * page-aligned 1 MiB reads are several times slower than slightly smaller ones).
     */
    private static double bareRead(List<FileChannel> files, ByteBuffer buf, List<Integer> chunks) throws IOException {
        long t0 = System.nanoTime();
        long bytes = 0;
        int c = 0;
        for (FileChannel ch : files) {
            long pos = 0;
            long size = ch.size();
            while (pos < size) {
                int chunk = c < chunks.size() ? chunks.get(c++) : 1024 * 1024;
                buf.clear().limit((int) Math.min(chunk, size - pos));
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, pos + buf.position());
                    if (n < 0) break;
                }
                pos += buf.position();
                bytes += buf.position();
            }
        }
        return bytes / ((System.nanoTime() - t0) / 1e3);
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static List<Path> segmentFiles(Path d) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, "*.log")) {
            ds.forEach(out::add);
        }
        out.sort(null);
        return out;
    }

    /** Lets the disk finish the previous run's writeback and discards before the next run starts. */
    private static void settle() {
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
            Thread.sleep(300);
        } catch (IOException e) {
            // no sync(1): just wait
            try {
                Thread.sleep(1000);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteDir(Path d) throws IOException {
        if (!Files.exists(d)) return;
        try (var w = Files.walk(d)) {
            List<Path> all = new ArrayList<>();
            w.forEach(all::add);
            for (int i = all.size() - 1; i >= 0; i--) Files.deleteIfExists(all.get(i));
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void report(String what, double[] v, String unit) {
        double[] s = v.clone();
        Arrays.sort(s);
        System.out.printf(
                Locale.ROOT,
                "  %-50s median %10.1f %s  (min %.1f, max %.1f)%n",
                what,
                median(v),
                unit,
                s[0],
                s[s.length - 1]);
    }

    private static void reportRatio(String what, double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i] / b[i];
        double[] s = r.clone();
        Arrays.sort(s);
        System.out.printf(
                Locale.ROOT,
                "  %-50s median %10.2f   (min %.2f, max %.2f over %d paired rounds)%n",
                what,
                median(r),
                s[0],
                s[s.length - 1],
                r.length);
    }
}
