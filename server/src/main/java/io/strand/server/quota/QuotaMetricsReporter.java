package io.strand.server.quota;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.strand.server.metrics.KafkaMetricNames;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;
import org.apache.kafka.common.utils.internals.Sanitizer;

/**
 * Publishes the quota sensors' metrics (kafka-clients {@link KafkaMetric}s) in the broker's Dropwizard
 * registry, each as a gauge named by Kafka's JMX object name plus the attribute Kafka shows them as:
 * {@code kafka.server:type=Produce,user=alice,client-id=app,attribute=byte-rate} for the MBean
 * {@code kafka.server:type=Produce,user=alice,client-id=app} and its attribute {@code byte-rate}
 * (tags with an empty value are left out, as Kafka's JmxReporter does). A sensor that expires takes
 * its gauges with it.
 *
 * <p>Thread-safe: called by kafka-clients' {@link org.apache.kafka.common.metrics.Metrics} under its
 * lock; the registry is concurrent.
 */
final class QuotaMetricsReporter implements MetricsReporter {
    private final MetricRegistry registry;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    QuotaMetricsReporter(MetricRegistry registry) {
        this.registry = registry;
    }

    /** The registry name of {@code name}: Kafka's object name under {@code kafka.server}, then the attribute. */
    static String registryName(MetricName name) {
        StringBuilder b = new StringBuilder("kafka.server:type=").append(name.group());
        for (Map.Entry<String, String> tag : name.tags().entrySet()) {
            if (!tag.getKey().isEmpty() && !tag.getValue().isEmpty()) {
                b.append(',').append(tag.getKey()).append('=').append(Sanitizer.jmxSanitize(tag.getValue()));
            }
        }
        return KafkaMetricNames.attribute(b.toString(), name.name());
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
        metrics.forEach(this::metricChange);
    }

    @Override
    public void metricChange(KafkaMetric metric) {
        String name = registryName(metric.metricName());
        registry.remove(name);
        registered.add(name);
        registry.register(name, (Gauge<Double>) () -> {
            Object v = metric.metricValue();
            return v instanceof Number n ? n.doubleValue() : Double.NaN;
        });
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
        String name = registryName(metric.metricName());
        registered.remove(name);
        registry.remove(name);
    }

    @Override
    public void close() {
        registered.forEach(registry::remove);
        registered.clear();
    }

    @Override
    public void configure(Map<String, ?> configs) {}
}
