package io.strand.tools.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the comparing benchmarks share: the order in which the systems run in a round (rotating from
 * round to round, so that none always runs first or right after another), and the summary figures
 * over the rounds (median [min-max], and ratios to a baseline as the median of the per-round
 * ratios). A failed round is recorded as NaN and left out of the figures.
 */
final class Rounds {
    private Rounds() {}

    /** The items in the order they run in round {@code round} (1-based): rotated by the round. */
    static <T> List<T> order(List<T> items, int round) {
        List<T> order = new ArrayList<>(items.size());
        for (int k = 0; k < items.size(); k++) {
            order.add(items.get((k + round) % items.size()));
        }
        return order;
    }

    /** An empty list of figures per key, in the keys' order. */
    static <K> Map<K, List<Double>> perKey(Collection<K> keys) {
        Map<K, List<Double>> m = new LinkedHashMap<>();
        keys.forEach(k -> m.put(k, new ArrayList<>()));
        return m;
    }

    /** The median of a sorted list (the mean of the middle two when their number is even). */
    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** "median [min-max]" of the figures that are numbers, one decimal; "n/a" if there are none. */
    static String spread(List<Double> xs) {
        return spread(xs, "%.1f");
    }

    /** "median [min-max]" of the figures that are numbers, each as {@code format}; "n/a" if none. */
    static String spread(List<Double> xs, String format) {
        List<Double> s = new ArrayList<>(xs.stream().filter(x -> !x.isNaN()).toList());
        if (s.isEmpty()) {
            return "n/a";
        }
        s.sort(Double::compare);
        return String.format(
                Locale.ROOT, format + " [" + format + "-" + format + "]", median(s), s.get(0), s.get(s.size() - 1));
    }

    /**
     * The median [min-max] of the per-round ratios {@code xs[i] / base[i]}, over the rounds where
     * both are numbers; "n/a" if there are none.
     */
    static String ratio(List<Double> xs, List<Double> base) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < Math.min(xs.size(), base.size()); i++) {
            double q = xs.get(i) / base.get(i);
            if (!Double.isNaN(q)) {
                r.add(q);
            }
        }
        return r.isEmpty() ? "n/a" : spread(r, "%.2f");
    }
}
