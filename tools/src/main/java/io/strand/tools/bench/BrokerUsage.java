package io.strand.tools.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a set of processes (a cluster's brokers, say) cost while a benchmark run goes on: the CPU time they used
 * (user + system, the {@code utime + stime} of {@code /proc/<pid>/stat}, as {@link ProcessHandle.Info#totalCpuDuration}
 * reads it on Linux; clock-tick resolution, 10 ms) from the start of a {@link Window} to its end, and their resident
 * memory ({@code VmRSS} of {@code /proc/<pid>/status}, summed over the processes) sampled every {@value #SAMPLE_MS} ms
 * and at the end: the highest sum is the window's RSS. A process that is gone (or never was) makes the figures NaN.
 *
 * <p>Thread-safety: one window at a time per instance, opened and closed by one thread; the RSS samples are taken on a
 * daemon thread of the instance's own.
 */
final class BrokerUsage implements AutoCloseable {
    static final int SAMPLE_MS = 250;

    private final List<Long> pids;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "broker-usage-sampler");
        t.setDaemon(true);
        return t;
    });

    /** What the processes used over one window: CPU seconds and the highest summed RSS in bytes (NaN if unknown). */
    record Usage(double cpuSeconds, double maxRssBytes) {
        /** CPU milliseconds per 1,000 of {@code records}. */
        double cpuMsPer1000(long records) {
            return records == 0 ? Double.NaN : cpuSeconds * 1e6 / records;
        }

        double maxRssMib() {
            return maxRssBytes / (1024.0 * 1024.0);
        }

        @Override
        public String toString() {
            return String.format(
                    java.util.Locale.ROOT, "cpu %.2f s, rss max %.0f MiB", cpuSeconds, maxRssBytes / 1048576.0);
        }
    }

    /** One measured window; {@link #end} closes it. */
    final class Window {
        private final double cpuAtStart = cpuSeconds();
        private double maxRss = rssBytes();
        private final ScheduledFuture<?> sampling =
                sampler.scheduleAtFixedRate(this::sample, SAMPLE_MS, SAMPLE_MS, TimeUnit.MILLISECONDS);

        private synchronized void sample() {
            maxRss = Math.max(maxRss, rssBytes()); // NaN, once a process is gone
        }

        /** Stops sampling and returns the window's usage. */
        Usage end() {
            sampling.cancel(false);
            try {
                sampling.get(1, TimeUnit.SECONDS);
            } catch (Exception cancelled) {
                // the expected outcome; a sample under way may still finish (sample() is synchronized)
            }
            sample();
            synchronized (this) {
                return new Usage(cpuSeconds() - cpuAtStart, maxRss);
            }
        }
    }

    BrokerUsage(List<Long> pids) {
        if (pids.isEmpty()) {
            throw new IllegalArgumentException("no process to measure");
        }
        this.pids = List.copyOf(pids);
    }

    /** Opens a window: the CPU time and RSS are taken from now on. */
    Window begin() {
        return new Window();
    }

    /** The processes' CPU time so far, in seconds; NaN if one of them is gone. */
    double cpuSeconds() {
        double total = 0;
        for (long pid : pids) {
            Optional<Duration> cpu = ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration());
            if (cpu.isEmpty()) {
                return Double.NaN;
            }
            total += cpu.get().toNanos() / 1e9;
        }
        return total;
    }

    /** The processes' resident memory now (VmRSS, summed), in bytes; NaN if one of them is gone. */
    double rssBytes() {
        double total = 0;
        for (long pid : pids) {
            double rss = vmRssBytes(pid);
            if (Double.isNaN(rss)) {
                return rss;
            }
            total += rss;
        }
        return total;
    }

    /** VmRSS of {@code /proc/<pid>/status} in bytes; NaN if there is no such process (or line). */
    static double vmRssBytes(long pid) {
        try {
            for (String line :
                    Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024.0; // the kernel writes kB (KiB)
                }
            }
        } catch (IOException | RuntimeException gone) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
