package io.strand.wal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The retention policy of a partition log: which closed segments go, oldest first. A segment goes when it lies
 * wholly below the log start offset, or when it is older than {@code retention.ms} (by its largest timestamp) or the
 * log without it is still at least {@code retention.bytes} — and, for those two, only when it lies wholly below the
 * high watermark (Kafka's rule: nothing unreplicated is deleted). Time and size retention apply only when
 * {@code cleanup.policy} contains {@code delete} (a compact-only log keeps everything its cleaner keeps). The active
 * segment never goes.
 *
 * <p>Stateless. {@link LocalLog#deleteExpiredSegments} calls {@link #select} and removes the result with the log
 * lock held, so the segments do not change in between.
 */
final class LogRetention {
    private LogRetention() {}

    /** A segment to delete and why (for the log line). */
    record Expired(LogSegment segment, long nextBaseOffset, String reason) {}

    /** The leading segments to delete now, oldest first. Log lock held. */
    static List<Expired> select(
            LogSegments segments, long logStartOffset, long highWatermark, LogConfig cfg, long nowMs) {
        List<Expired> out = new ArrayList<>();
        long size = segments.sizeInBytes();
        Iterator<LogSegment> it = segments.all().iterator();
        LogSegment seg = it.hasNext() ? it.next() : null;
        while (seg != null && it.hasNext()) {
            LogSegment next = it.next();
            long nextBase = next.baseOffset();
            boolean belowStart = nextBase <= logStartOffset;
            boolean replicated = nextBase <= highWatermark;
            boolean deletes = cfg.compaction().delete();
            boolean byTime =
                    deletes && cfg.retentionMs() >= 0 && nowMs - seg.largestTimestampForRetention() > cfg.retentionMs();
            boolean bySize = deletes && cfg.retentionBytes() >= 0 && size - seg.size() >= cfg.retentionBytes();
            if (!(belowStart || (replicated && (byTime || bySize)))) break;
            String reason = belowStart
                    ? "below the log start offset " + logStartOffset
                    : byTime
                            ? "retention.ms " + cfg.retentionMs() + " exceeded (largest timestamp "
                                    + seg.largestTimestampForRetention() + ")"
                            : "retention.bytes " + cfg.retentionBytes() + " exceeded (log size " + size + ")";
            out.add(new Expired(seg, nextBase, reason));
            size -= seg.size();
            seg = next;
        }
        return out;
    }
}
