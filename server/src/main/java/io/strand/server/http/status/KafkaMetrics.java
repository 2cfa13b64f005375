package io.strand.server.http.status;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.Metered;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the broker's Dropwizard registry by Kafka's MBean names (the keys the Kafka-named metrics are registered
 * under, e.g. {@code kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=t}); a name not in the
 * registry reads as absent (null), never as zero. Stateless.
 */
final class KafkaMetrics {
    static final String MESSAGES_IN_PER_TOPIC = "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=";
    static final String TOTAL_TIME = "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=";

    private KafkaMetrics() {}

    /** Messages appended per second to {@code topic}'s partitions this broker leads (one-minute rate), or null. */
    static Double messagesInPerSec(MetricRegistry registry, String topic) {
        Metric m = registry.getMetrics().get(MESSAGES_IN_PER_TOPIC + topic);
        return m instanceof Metered meter ? meter.getOneMinuteRate() : null;
    }

    /**
     * One API's request latency on this broker ({@code TotalTimeMs}).
     */
    record Latency(String request, long count, double p50Ms, double p99Ms) {}

    /** Every API's latency (Kafka's TotalTimeMs) that has served a request. */
    static List<Latency> requestLatencies(MetricRegistry registry) {
        List<Latency> out = new ArrayList<>();
        for (Map.Entry<String, Metric> e : registry.getMetrics().entrySet()) {
            if (e.getKey().startsWith(TOTAL_TIME)) {
                latency(e.getKey().substring(TOTAL_TIME.length()), e.getValue(), out);
            }
        }
        return out;
    }

    private static void latency(String request, Metric metric, List<Latency> out) {
        if (metric instanceof Timer t) {
            if (t.getCount() > 0) {
                Snapshot s = t.getSnapshot(); // nanoseconds
                out.add(new Latency(request, t.getCount(), s.getMedian() / 1e6, s.get99thPercentile() / 1e6));
            }
        } else if (metric instanceof Histogram h) {
            if (h.getCount() > 0) {
                Snapshot s = h.getSnapshot(); // milliseconds, as Kafka's histograms
                out.add(new Latency(request, h.getCount(), s.getMedian(), s.get99thPercentile()));
            }
        }
    }
}
