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
 * registry reads as absent (null), never as zero. Per-API latency falls back to Strand's own
 * {@code request.<ApiKeys name>} timers while no {@code TotalTimeMs} is registered. Stateless.
 */
final class KafkaMetrics {
    static final String MESSAGES_IN_PER_TOPIC = "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=";
    static final String TOTAL_TIME = "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=";
    static final String STRAND_REQUEST_TIMER = "request.";

    private KafkaMetrics() {}

    /** Messages appended per second to {@code topic}'s partitions this broker leads (one-minute rate), or null. */
    static Double messagesInPerSec(MetricRegistry registry, String topic) {
        Metric m = registry.getMetrics().get(MESSAGES_IN_PER_TOPIC + topic);
        return m instanceof Metered meter ? meter.getOneMinuteRate() : null;
    }

    /**
     * One API's request latency on this broker.
     *
     * @param source "kafka" (TotalTimeMs) or "strand" (request.&lt;api&gt;)
     */
    record Latency(String request, long count, double p50Ms, double p99Ms, String source) {}

    /** Every API's latency that has served a request: Kafka's TotalTimeMs if any is registered, else Strand's timers. */
    static List<Latency> requestLatencies(MetricRegistry registry) {
        List<Latency> kafka = new ArrayList<>();
        List<Latency> strand = new ArrayList<>();
        for (Map.Entry<String, Metric> e : registry.getMetrics().entrySet()) {
            String name = e.getKey();
            if (name.startsWith(TOTAL_TIME)) {
                latency(name.substring(TOTAL_TIME.length()), e.getValue(), "kafka", kafka);
            } else if (name.startsWith(STRAND_REQUEST_TIMER) && e.getValue() instanceof Timer) {
                latency(name.substring(STRAND_REQUEST_TIMER.length()), e.getValue(), "strand", strand);
            }
        }
        return kafka.isEmpty() ? strand : kafka;
    }

    private static void latency(String request, Metric metric, String source, List<Latency> out) {
        if (metric instanceof Timer t) {
            if (t.getCount() > 0) {
                Snapshot s = t.getSnapshot(); // nanoseconds
                out.add(new Latency(request, t.getCount(), s.getMedian() / 1e6, s.get99thPercentile() / 1e6, source));
            }
        } else if (metric instanceof Histogram h) {
            if (h.getCount() > 0) {
                Snapshot s = h.getSnapshot(); // milliseconds, as Kafka's histograms
                out.add(new Latency(request, h.getCount(), s.getMedian(), s.get99thPercentile(), source));
            }
        }
    }
}
