package io.strand.server.replica;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Where the time of an acks=all acknowledgement goes, phase by phase, on this broker: as a leader, from the end of
 * a client's append ({@link Phase#LEADER_APPEND} is the append itself) until the leader's own log is durable, until
 * each follower reports the records durable (its next fetch), and until the high watermark passes them (the
 * acknowledgement); as a follower, the time its fetches take, its appends, and its wait for its own fsync before
 * it fetches again. Each phase is a Dropwizard timer ({@code ack-latency.<phase>}, over JMX, decaying over about
 * five minutes) and an interval histogram that {@link #takeInterval} hands out and restarts (the status API's
 * {@code /api/ack-latency}, which benchmarks read before and after a run).
 *
 * <p>Thread-safe: recorded from request threads, replica fetchers and the durable-listener pool.
 */
public final class AckLatency {
    /** The phases, each measured in nanoseconds. */
    public enum Phase {
        /** Leader: appending a client's batch to the log (lock wait included). */
        LEADER_APPEND("leader-append"),
        /** Leader: from the end of the append until the leader's own log is durable there (fsync-before-ack). */
        LEADER_DURABLE("leader-durable"),
        /** Leader: from the end of the append until a follower's fetch offset passes it (per follower). */
        FOLLOWER_REPORTED("follower-reported"),
        /** Leader: from the end of the append until the high watermark passes it: the acknowledgement. */
        COMMITTED("committed"),
        /** Follower: one fetch request to the leader until its response (a long poll while there is nothing). */
        FOLLOWER_FETCH("follower-fetch"),
        /** Follower: appending one fetch response's records to its logs. */
        FOLLOWER_APPEND("follower-append"),
        /**
         * Follower: its own fsync. Fetching ahead: from an append until it is durable, while the
         * fetcher fetches on; strict: the fetcher's wait for its logs to be durable before fetching again.
         */
        FOLLOWER_DURABLE_WAIT("follower-durable-wait");

        final String label;

        Phase(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One phase's interval summary, in milliseconds. */
    public record Summary(long count, double p50, double p90, double p99, double p999, double max) {}

    private static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final Map<Phase, Timer> timers = new EnumMap<>(Phase.class);
    private final Map<Phase, Recorder> recorders = new EnumMap<>(Phase.class);
    private final Map<Phase, Histogram> reuse = new EnumMap<>(Phase.class);

    public AckLatency(MetricRegistry registry) {
        for (Phase p : Phase.values()) {
            timers.put(p, registry.timer("ack-latency." + p.label));
            recorders.put(p, new Recorder(HIGHEST_NANOS, 2));
        }
    }

    public void record(Phase phase, long nanos) {
        if (nanos < 0) return;
        timers.get(phase).update(nanos, TimeUnit.NANOSECONDS);
        recorders.get(phase).recordValue(Math.min(nanos, HIGHEST_NANOS));
    }

    /** Every phase's samples since the previous call (or since the broker started), and starts a new interval. */
    public synchronized Map<String, Summary> takeInterval() {
        Map<String, Summary> out = new LinkedHashMap<>();
        for (Phase p : Phase.values()) {
            Histogram h = recorders.get(p).getIntervalHistogram(reuse.get(p));
            reuse.put(p, h);
            out.put(
                    p.label,
                    new Summary(
                            h.getTotalCount(),
                            ms(h.getValueAtPercentile(50)),
                            ms(h.getValueAtPercentile(90)),
                            ms(h.getValueAtPercentile(99)),
                            ms(h.getValueAtPercentile(99.9)),
                            ms(h.getMaxValue())));
        }
        return out;
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }
}
