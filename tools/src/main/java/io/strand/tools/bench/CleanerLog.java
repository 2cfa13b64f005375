package io.strand.tools.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A broker's log file in which its log cleaner writes a summary after each cleaning, read from a
 * mark on. One parser reads both Apache Kafka's summary (one event over several lines, in
 * log-cleaner.log)
 *
 * <pre>
 * Log cleaner thread 0 cleaned log t-0 (dirty section = [0, 1037312])
 *     1,043.1 MB of log processed in 6.2 seconds (168.4 MB/sec).
 *     ...
 *     99.0% size reduction (99.0% fewer messages)
 * </pre>
 *
 * and Strand's one line ({@code io.strand.wal.cleaner.LogCleaner}, in the broker log)
 *
 * <pre>
 * Cleaned log t-0 (dirty section = [0, 1037312]): 1,043.1 MB of log processed in 6.2 seconds (168.4 MB/sec); 99.0% size reduction, 1,027,312 records removed
 * </pre>
 */
final class CleanerLog {
    private static final Pattern CLEANED =
            Pattern.compile("[Cc]leaned log (\\S+) \\(dirty section = \\[(\\d+), (\\d+)\\]\\)");
    private static final String NUMBER = "(-?[\\d,]+\\.\\d+|NaN|-?Infinity)";
    private static final Pattern PROCESSED =
            Pattern.compile(NUMBER + " MB of log processed in " + NUMBER + " seconds \\(" + NUMBER + " MB/sec\\)");
    private static final Pattern REDUCTION = Pattern.compile(NUMBER + "% size reduction");
    /** How far after "cleaned log" the figures of the same summary may be. */
    private static final int SUMMARY_CHARS = 4000;

    /**
     * One cleaning: the log (topic-partition), its dirty section, megabytes (MiB, as both brokers
     * count them) of log processed, and the rate the broker reported. {@code seconds} is {@code mb /
     * mbPerSec} when the rate is known: the rate is printed from unrounded figures, the seconds only
     * to a tenth.
     */
    record Cleaning(String log, long from, long to, double mb, double seconds, double mbPerSec, double reductionPct) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%s [%d, %d]: %.1f MB in %.2f s = %.1f MB/s, %.1f%% size reduction",
                    log,
                    from,
                    to,
                    mb,
                    seconds,
                    mbPerSec,
                    reductionPct);
        }
    }

    private final Path file;

    CleanerLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** The current end of the file: {@link #since} reads what is written after it. */
    long mark() throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /** The complete summaries written since {@code mark} for logs whose name starts with {@code topic-}. */
    List<Cleaning> since(long mark, String topic) throws IOException {
        String text;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long from = ch.size() < mark ? 0 : mark; // the file was replaced: read it all
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, ch.size() - from));
            while (buf.hasRemaining() && ch.read(buf, from + buf.position()) > 0) {}
            text = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<Cleaning> out = new ArrayList<>();
        for (Cleaning c : parse(text)) {
            if (c.log().startsWith(topic + "-")
                    && c.log().substring(topic.length() + 1).matches("\\d+")) {
                out.add(c);
            }
        }
        return out;
    }

    /** Every complete summary in {@code text}, in order. */
    static List<Cleaning> parse(String text) {
        List<Cleaning> out = new ArrayList<>();
        Matcher cleaned = CLEANED.matcher(text);
        boolean found = cleaned.find();
        while (found) {
            String log = cleaned.group(1);
            long from = Long.parseLong(cleaned.group(2));
            long to = Long.parseLong(cleaned.group(3));
            int start = cleaned.end();
            found = cleaned.find();
            int end = Math.min(found ? cleaned.start() : text.length(), start + SUMMARY_CHARS);
            Matcher processed = PROCESSED.matcher(text).region(start, end);
            if (!processed.find()) {
                continue; // not (yet) complete
            }
            double mb = number(processed.group(1));
            double reportedSeconds = number(processed.group(2));
            double rate = number(processed.group(3));
            Matcher reduction = REDUCTION.matcher(text).region(processed.end(), end);
            double reductionPct = reduction.find() ? number(reduction.group(1)) : Double.NaN;
            double seconds = rate > 0 && Double.isFinite(rate) ? mb / rate : reportedSeconds;
            out.add(new Cleaning(log, from, to, mb, seconds, rate, reductionPct));
        }
        return out;
    }

    private static double number(String s) {
        return Double.parseDouble(s.replace(",", ""));
    }
}
