package io.strand.tools.check;

import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of one {@code strand check} run: how it ran, what {@link DeliveryLedger} counted, the
 * broker kills, and the problems that were not deliveries (a kill or restart that failed, a reader
 * that did not reach the end); printed as text or JSON, and judged: {@link #ok()}. Immutable.
 *
 * @param phase what this run did: {@code both}, {@code produce} (nothing read) or {@code consume}
 * @param durationMs how long records were written (0 for {@code consume})
 * @param readComplete whether the reader reached the end offsets the partitions had once writing
 *     ended (false: it gave up after the drain timeout, and what it did not read counts as lost)
 */
record CheckSummary(
        String topic,
        String run,
        String phase,
        int partitions,
        String acks,
        boolean idempotent,
        boolean transactional,
        int rate,
        long durationMs,
        Counts counts,
        boolean readComplete,
        List<LeaderKiller.Kill> kills,
        List<String> problems) {

    /** The latency of first reads, in ms. */
    record Latency(long p50, long p99, long max) {}

    /** What {@link DeliveryLedger#summary} counted; see there for the meaning of each. */
    record Counts(
            long sent,
            long acknowledged,
            long sendFailures,
            Map<String, Long> failureReasons,
            long aborted,
            long read,
            long readDistinct,
            long lost,
            Map<Integer, Long> lostByPartition,
            List<String> lostExamples,
            long duplicated,
            List<String> duplicateExamples,
            long outOfOrder,
            List<String> outOfOrderExamples,
            long unacknowledgedRead,
            long abortedRead,
            long foreign,
            Latency latency) {}

    private boolean reads() {
        return !phase.equals("produce");
    }

    private boolean writes() {
        return !phase.equals("consume");
    }

    /**
     * What went wrong, one phrase each; empty when the run passed. Lost and aborted-but-read records
     * always fail a run; duplicates and reordering fail it when the producer promised neither
     * (idempotent or transactional); a run that got no record acknowledged fails too.
     */
    List<String> failures() {
        List<String> out = new ArrayList<>(problems);
        if (writes() && counts.acknowledged() == 0) {
            out.add("no record was acknowledged");
        }
        if (reads()) {
            if (counts.lost() > 0) {
                out.add(counts.lost() + " acknowledged records lost (" + lostByPartition() + ")");
            }
            if (counts.abortedRead() > 0) {
                out.add(counts.abortedRead() + " records of aborted transactions read");
            }
            if ((idempotent || transactional) && counts.duplicated() > 0) {
                out.add(counts.duplicated() + " duplicate reads");
            }
            if ((idempotent || transactional) && counts.outOfOrder() > 0) {
                out.add(counts.outOfOrder() + " records read out of order");
            }
        }
        return out;
    }

    /** "p0: 12, p3: 1": the lost records per partition. */
    private String lostByPartition() {
        return String.join(
                ", ",
                counts.lostByPartition().entrySet().stream()
                        .map(e -> "p" + e.getKey() + ": " + e.getValue())
                        .toList());
    }

    boolean ok() {
        return failures().isEmpty();
    }

    Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("topic", topic);
        out.put("run", run);
        out.put("phase", phase);
        out.put("partitions", partitions);
        out.put("acks", acks);
        out.put("idempotent", idempotent);
        out.put("transactional", transactional);
        if (writes()) {
            out.put("rate", rate);
            out.put("durationMs", durationMs);
        }
        out.put("sent", counts.sent());
        out.put("acknowledged", counts.acknowledged());
        out.put("sendFailures", counts.sendFailures());
        out.put("sendFailureReasons", counts.failureReasons());
        if (transactional) {
            out.put("aborted", counts.aborted());
        }
        if (reads()) {
            out.put("read", counts.read());
            out.put("readDistinct", counts.readDistinct());
            out.put("readComplete", readComplete);
            out.put("lost", counts.lost());
            Map<String, Long> byPartition = new LinkedHashMap<>();
            counts.lostByPartition().forEach((p, n) -> byPartition.put(String.valueOf(p), n));
            out.put("lostByPartition", byPartition);
            out.put("lostExamples", counts.lostExamples());
            out.put("duplicated", counts.duplicated());
            out.put("duplicateExamples", counts.duplicateExamples());
            out.put("outOfOrder", counts.outOfOrder());
            out.put("outOfOrderExamples", counts.outOfOrderExamples());
            out.put("unacknowledgedRead", counts.unacknowledgedRead());
            if (transactional) {
                out.put("abortedRead", counts.abortedRead());
            }
            out.put("foreignRead", counts.foreign());
            out.put(
                    "latencyMs",
                    counts.latency() == null
                            ? null
                            : Json.object(
                                    "p50", counts.latency().p50(),
                                    "p99", counts.latency().p99(),
                                    "max", counts.latency().max()));
        }
        out.put("kills", kills.stream().map(LeaderKiller.Kill::json).toList());
        out.put("failures", failures());
        out.put("ok", ok());
        return out;
    }

    void printText(Io io) {
        String mode = transactional ? "transactional" : idempotent ? "idempotent" : "not idempotent";
        io.println("check of topic " + topic + " (" + partitions + " partitions), run " + run
                + (writes()
                        ? String.format(
                                Locale.ROOT,
                                ": %.1f s at %d records/s, acks=%s, %s",
                                durationMs / 1000.0,
                                rate,
                                acks,
                                mode)
                        : ": reading what a produce phase wrote"));
        line(io, "sent", counts.sent());
        line(io, "acknowledged", counts.acknowledged() + (transactional ? " (in committed transactions)" : ""));
        line(
                io,
                "send failures",
                counts.sendFailures() + (counts.failureReasons().isEmpty() ? "" : " " + counts.failureReasons()));
        if (transactional) {
            line(io, "aborted", counts.aborted());
        }
        if (reads()) {
            line(
                    io,
                    "read",
                    counts.read() + " (" + counts.readDistinct() + " distinct"
                            + (counts.foreign() > 0 ? ", " + counts.foreign() + " of other writers skipped" : "")
                            + (readComplete ? "" : "; the reader did not reach the end") + ")");
            line(
                    io,
                    "lost",
                    counts.lost()
                            + (counts.lost() > 0
                                    ? " (" + lostByPartition() + "), e.g. " + String.join(", ", counts.lostExamples())
                                    : ""));
            line(
                    io,
                    "duplicated",
                    counts.duplicated()
                            + (counts.duplicated() > 0
                                    ? ", e.g. " + String.join(", ", counts.duplicateExamples())
                                    : ""));
            line(
                    io,
                    "out of order",
                    counts.outOfOrder()
                            + (counts.outOfOrder() > 0
                                    ? ", e.g. " + String.join(", ", counts.outOfOrderExamples())
                                    : ""));
            line(io, "unacknowledged but read", counts.unacknowledgedRead());
            if (transactional) {
                line(io, "aborted but read", counts.abortedRead());
            }
            line(
                    io,
                    "latency p50 / p99 / max",
                    counts.latency() == null
                            ? "- (not measured: the reader did not run beside the writer)"
                            : counts.latency().p50() + " / " + counts.latency().p99() + " / "
                                    + counts.latency().max() + " ms");
        }
        if (!kills.isEmpty()) {
            line(io, "leader kills", kills.size());
            kills.forEach(k -> io.println("  " + k.describe()));
        }
        List<String> failures = failures();
        io.println(
                failures.isEmpty()
                        ? "result: OK"
                                + (reads()
                                        ? " (every acknowledged record was read)"
                                        : " (state saved for the consume phase)")
                        : "result: FAILED: " + String.join("; ", failures));
    }

    private static void line(Io io, String what, Object value) {
        io.println(String.format(Locale.ROOT, "  %-24s %s", what, value));
    }
}
