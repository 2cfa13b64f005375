package io.strand.tools.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The end of a {@link ProducerComparison}: the {@code SUMMARY} lines (per cluster, median [min-max] over the rounds
 * of each figure, and ratios to the first cluster as the median [min-max] of the per-round ratios), the {@code RATIO}
 * lines of {@code --ratio name/base}, and a {@code TABLE} block in Markdown with one row per cluster. Figures that
 * were not measured (no {@code --pids}, no {@code --ack-latency}, {@code --consume-records 0}) are left out or "n/a".
 *
 * <p>Not thread-safe: used once by the benchmark's thread.
 */
final class ComparisonSummary {
    /** The phases of Strand's acks=all breakdown, in the order printed (AckLatency.Phase on the broker). */
    static final List<String> ACK_PHASES = List.of(
            "leader-append",
            "leader-durable",
            "follower-reported",
            "committed",
            "follower-fetch",
            "follower-append",
            "follower-durable-wait");

    private final ProducerBenchmark.Flags f;
    private final List<Integer> rates;
    private final List<String> names;
    private final List<Figures> figures;

    ComparisonSummary(ProducerBenchmark.Flags f, List<Integer> rates, List<String> names, List<Figures> figures) {
        this.f = f;
        this.rates = rates;
        this.names = names;
        this.figures = figures;
    }

    void print() {
        System.out.printf(
                Locale.ROOT,
                "%nSUMMARY topic %s (%d partitions), %d rounds (median [min-max]; ratio = median [min-max] of the"
                        + " per-round ratios to %s)%n",
                f.topic,
                f.partitions,
                f.rounds,
                names.get(0));
        for (int c = 0; c < names.size(); c++) {
            printCluster(c);
        }
        for (String spec : f.ratios) {
            printRatio(spec);
        }
        printTable();
    }

    private void printCluster(int c) {
        Figures x = figures.get(c);
        String name = names.get(c);
        System.out.printf(
                Locale.ROOT,
                "%-14s throughput %s records/s%s%n",
                name,
                Rounds.spread(x.get("throughput")),
                c == 0 ? "" : ", ratio " + ratio(c, "throughput"));
        for (int rate : rates) {
            System.out.printf(
                    Locale.ROOT,
                    "%-14s latency at %d/s ms: p50 %s, p99 %s, p99.9 %s%s%n",
                    name,
                    rate,
                    Rounds.spread(x.get("p50@" + rate)),
                    Rounds.spread(x.get("p99@" + rate)),
                    Rounds.spread(x.get("p999@" + rate)),
                    c == 0 ? "" : "; p99 ratio " + ratio(c, "p99@" + rate));
        }
        for (String who : List.of("", "aux-")) {
            if (!x.has(who + "cpu")) {
                continue;
            }
            String label = who.isEmpty() ? "brokers" : "aux processes";
            System.out.printf(
                    Locale.ROOT,
                    "%-14s %s cpu ms per 1000 records: %s%s%n",
                    name,
                    label,
                    perRun(x, who + "cpu"),
                    c == 0 || who.equals("aux-") ? "" : "; throughput-run ratio " + ratio(c, "cpu"));
            System.out.printf(
                    Locale.ROOT,
                    "%-14s %s rss MiB (summed over the processes, highest sample of each run): %s%n",
                    name,
                    label,
                    perRun(x, who + "rss"));
        }
        for (int rate : rates) {
            if (!x.has("ack-p99@" + rate + ":committed") && !x.has("ack-p99@" + rate + ":leader-append")) {
                continue;
            }
            System.out.printf(
                    Locale.ROOT,
                    "%-14s ack-latency at %d/s ms (per run the median of the brokers' p50 and the max of their p99):%n",
                    name,
                    rate);
            for (String phase : ACK_PHASES) {
                System.out.printf(
                        Locale.ROOT,
                        "%-14s   %-21s p50 %s, p99 %s%n",
                        "",
                        phase,
                        Rounds.spread(x.get("ack-p50@" + rate + ":" + phase), "%.3f"),
                        Rounds.spread(x.get("ack-p99@" + rate + ":" + phase), "%.3f"));
            }
        }
        if (f.consumeRecords > 0) {
            System.out.printf(
                    Locale.ROOT,
                    "%-14s consumer, new group, %d records from the beginning: %s records/s, first record after %s s%s%n",
                    name,
                    f.consumeRecords,
                    Rounds.spread(x.get("read"), "%.0f"),
                    Rounds.spread(x.get("read-first"), "%.2f"),
                    c == 0 ? "" : "; ratio " + ratio(c, "read"));
        }
    }

    /** "throughput X, at R/s Y, ..., consumer Z" of a figure measured per run (cpu, rss). */
    private String perRun(Figures x, String figure) {
        List<String> parts = new ArrayList<>();
        parts.add("throughput " + Rounds.spread(x.get(figure)));
        for (int rate : rates) {
            parts.add("at " + rate + "/s " + Rounds.spread(x.get(figure + "@" + rate)));
        }
        if (f.consumeRecords > 0) {
            parts.add("consumer " + Rounds.spread(x.get(figure + "@read")));
        }
        return String.join(", ", parts);
    }

    private void printRatio(String spec) {
        int slash = spec.indexOf('/');
        int c = slash < 0 ? -1 : names.indexOf(spec.substring(0, slash));
        int base = slash < 0 ? -1 : names.indexOf(spec.substring(slash + 1));
        if (c < 0 || base < 0) {
            System.out.printf(Locale.ROOT, "--ratio %s: expected name/base of two compared clusters%n", spec);
            return;
        }
        StringBuilder s = new StringBuilder("throughput " + ratio(c, base, "throughput"));
        for (int rate : rates) {
            s.append(String.format(
                    Locale.ROOT,
                    "; at %d/s p50 %s, p99 %s",
                    rate,
                    ratio(c, base, "p50@" + rate),
                    ratio(c, base, "p99@" + rate)));
        }
        if (figures.get(c).has("cpu") && figures.get(base).has("cpu")) {
            s.append("; cpu per record ").append(ratio(c, base, "cpu"));
        }
        if (f.consumeRecords > 0) {
            s.append("; consumer ").append(ratio(c, base, "read"));
        }
        System.out.printf(Locale.ROOT, "RATIO %s %s%n", spec, s);
    }

    /**
     * The Markdown table: throughput, each rate's p50 / p99 / p99.9 with the p99 ratio, the brokers' CPU per 1,000
     * records and highest RSS in the throughput runs, the consumer's records/s; every ratio to the first cluster.
     */
    private void printTable() {
        boolean usage = figures.stream().anyMatch(x -> x.has("cpu"));
        boolean read = f.consumeRecords > 0;
        List<String> head = new ArrayList<>(List.of("cluster", "throughput (records/s)", "ratio"));
        for (int rate : rates) {
            head.add(String.format(Locale.ROOT, "%,d/s p50 / p99 / p99.9 (ms)", rate));
            head.add("p99 ratio");
        }
        if (usage) {
            head.addAll(List.of("CPU ms / 1,000 records", "CPU ratio", "RSS MiB"));
        }
        if (read) {
            head.addAll(List.of("consumer (records/s)", "consumer ratio"));
        }
        System.out.printf(
                Locale.ROOT,
                "%nTABLE topic %s (%d partitions), %d rounds: median [min-max] over the rounds; ratios to %s, the"
                        + " median [min-max] of the per-round ratios%s%n",
                f.topic,
                f.partitions,
                f.rounds,
                names.get(0),
                usage ? "; CPU and RSS: the brokers' in the throughput runs" : "");
        System.out.println("| " + String.join(" | ", head) + " |");
        System.out.println("|" + "---|".repeat(head.size()));
        for (int c = 0; c < names.size(); c++) {
            Figures x = figures.get(c);
            List<String> row = new ArrayList<>(List.of(
                    names.get(c), Rounds.spread(x.get("throughput"), "%,.0f"), c == 0 ? "1" : ratio(c, "throughput")));
            for (int rate : rates) {
                row.add(String.format(
                        Locale.ROOT,
                        "%s / %s / %s",
                        median(x, "p50@" + rate),
                        median(x, "p99@" + rate),
                        median(x, "p999@" + rate)));
                row.add(c == 0 ? "1" : ratio(c, "p99@" + rate));
            }
            if (usage) {
                row.add(Rounds.spread(x.get("cpu"), "%.1f"));
                row.add(c == 0 ? "1" : ratio(c, "cpu"));
                row.add(Rounds.spread(x.get("rss"), "%,.0f"));
            }
            if (read) {
                row.add(Rounds.spread(x.get("read"), "%,.0f"));
                row.add(c == 0 ? "1" : ratio(c, "read"));
            }
            System.out.println("| " + String.join(" | ", row) + " |");
        }
        System.out.println("END TABLE");
    }

    private String ratio(int c, String figure) {
        return ratio(c, 0, figure);
    }

    private String ratio(int c, int base, String figure) {
        return Rounds.ratio(figures.get(c).get(figure), figures.get(base).get(figure));
    }

    /** The median of a figure's values that are numbers, one decimal; "n/a" if none. */
    private static String median(Figures x, String figure) {
        List<Double> s = new ArrayList<>(
                x.get(figure).stream().filter(v -> !v.isNaN()).sorted().toList());
        return s.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%.1f", Rounds.median(s));
    }
}
