package io.strand.server.http;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Metered;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Sampling;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.strand.server.metrics.KafkaMetricNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * {@code GET /metrics}: the broker's Kafka-named metrics in the Prometheus text format (or OpenMetrics
 * when the scraper asks for it), written by the Prometheus Java client's exposition library, with the
 * names and labels the JMX exporter gives Kafka's MBeans under its {@code kafka-2_0_0.yml} rules
 * ({@link JmxExporterRules}). Each Kafka-named registry metric is seen as JMX shows it (a gauge's
 * {@code Value}; {@code Count} and the rates of a meter; {@code Count}, the percentiles, Mean, Min and Max
 * of a histogram, or of a timer in milliseconds). Consumer-group lag, which has no Kafka MBean, is written
 * with the names of the widely used Kafka exporter: {@code kafka_consumergroup_lag{consumergroup,topic,partition}}
 * and {@code kafka_consumergroup_lag_sum{consumergroup,topic}}. Strand's own metrics ({@code strand.*}
 * names) stay on JMX only.
 *
 * <p>Thread-safe: a scrape reads the registry; the rule matches are cached per metric and attribute (as
 * the exporter's {@code cacheRules: true}) and forgotten with their metric.
 */
public final class PrometheusMetrics implements HttpHandler {
    private static final double NANOS_PER_MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final String[] PERCENTILES = {"50th", "75th", "95th", "98th", "99th", "999th"};
    private static final double[] QUANTILES = {0.5, 0.75, 0.95, 0.98, 0.99, 0.999};
    private static final String CONSUMER_LAG_TYPE = "ConsumerLag";
    private static final String RULES_HELP =
            "A Kafka MBean attribute, named by the JMX exporter's kafka-2_0_0.yml rules";
    private static final String LAG_HELP =
            "Consumer-group lag: the partition's high watermark minus the group's committed offset";

    private final MetricRegistry registry;
    private final Map<String, Optional<JmxExporterRules.Sample>> matches = new ConcurrentHashMap<>();

    public PrometheusMetrics(MetricRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String accept = exchange.getRequestHeaders().getFirst("Accept");
            ExpositionFormatWriter writer = OpenMetricsTextFormatWriter.create();
            if (!writer.accepts(accept)) {
                writer = PrometheusTextFormatWriter.create();
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
            writer.write(body, snapshots(), EscapingScheme.UNDERSCORE_ESCAPING);
            exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.size());
            try (OutputStream out = exchange.getResponseBody()) {
                body.writeTo(out);
            }
        }
    }

    /** One sample before grouping into families. */
    private record Point(JmxExporterRules.Sample sample, double value, String objectName) {}

    /** The registry's Kafka-named metrics as Prometheus metric families. */
    public MetricSnapshots snapshots() {
        List<Point> points = new ArrayList<>();
        Map<List<String>, Double> lagSums = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        List<Point> lags = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, Metric> e : registry.getMetrics().entrySet()) {
            String key = e.getKey();
            if (!KafkaMetricNames.isKafkaName(key)) {
                continue;
            }
            ObjectName name;
            try {
                name = new ObjectName(key);
            } catch (MalformedObjectNameException ex) {
                continue;
            }
            if (CONSUMER_LAG_TYPE.equals(name.getKeyProperty("type"))) {
                consumerLag(name, e.getValue(), lags, lagSums);
                continue;
            }
            seen.add(key);
            // one attribute of a Kafka MBean with several (KafkaMetricNames.ATTRIBUTE): the gauge's Value is it
            String namedAttribute = name.getKeyProperty(KafkaMetricNames.ATTRIBUTE);
            String keyProperties = namedAttribute == null
                    ? name.getKeyPropertyListString()
                    : name.getKeyPropertyListString()
                            .replace("," + KafkaMetricNames.ATTRIBUTE + "=" + namedAttribute, "");
            attributes(e.getValue()).forEach((jmxAttribute, value) -> {
                String attribute =
                        namedAttribute != null && jmxAttribute.equals("Value") ? namedAttribute : jmxAttribute;
                Optional<JmxExporterRules.Sample> s = matches.computeIfAbsent(
                        key + "\u0000" + attribute,
                        k -> Optional.ofNullable(
                                JmxExporterRules.match(name.getDomain(), keyProperties, attribute, value)));
                s.ifPresent(sample -> points.add(new Point(sample, value, key)));
            });
        }
        matches.keySet().removeIf(k -> !seen.contains(k.substring(0, k.indexOf('\u0000'))));

        MetricSnapshots.Builder out = MetricSnapshots.builder();
        Map<String, List<Point>> families = new LinkedHashMap<>();
        points.stream()
                .sorted((a, b) -> a.sample().name().compareTo(b.sample().name()))
                .forEach(p -> families.computeIfAbsent(p.sample().name(), n -> new ArrayList<>())
                        .add(p));
        families.values().forEach(f -> out.metricSnapshot(family(f, RULES_HELP)));
        if (!lags.isEmpty()) {
            out.metricSnapshot(family(lags, LAG_HELP));
            List<Point> sums = new ArrayList<>();
            lagSums.forEach((groupTopic, sum) -> sums.add(new Point(
                    new JmxExporterRules.Sample(
                            "kafka_consumergroup_lag_sum",
                            JmxExporterRules.Type.GAUGE,
                            Map.of("consumergroup", groupTopic.get(0), "topic", groupTopic.get(1))),
                    sum,
                    "")));
            out.metricSnapshot(family(sums, LAG_HELP + ", summed over the topic's partitions"));
        }
        return out.build();
    }

    private static void consumerLag(
            ObjectName name, Metric metric, List<Point> lags, Map<List<String>, Double> lagSums) {
        if (!(metric instanceof Gauge<?> g) || !(g.getValue() instanceof Number n)) {
            return;
        }
        String group = unquote(name.getKeyProperty("group"));
        String topic = name.getKeyProperty("topic");
        String partition = name.getKeyProperty("partition");
        if (group == null || topic == null || partition == null) {
            return;
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("consumergroup", group);
        labels.put("topic", topic);
        labels.put("partition", partition);
        lags.add(new Point(
                new JmxExporterRules.Sample("kafka_consumergroup_lag", JmxExporterRules.Type.GAUGE, labels),
                n.doubleValue(),
                name.toString()));
        lagSums.merge(List.of(group, topic), n.doubleValue(), Double::sum);
    }

    private static String unquote(String value) {
        return value != null && value.startsWith("\"") ? ObjectName.unquote(value) : value;
    }

    /**
     * One family, typed as the exporter types it: COUNTER or GAUGE when every sample agrees, else untyped;
     * samples whose labels collide get the exporter's {@code _objectname} label.
     */
    private static MetricSnapshot family(List<Point> points, String help) {
        String name = points.get(0).sample().name();
        boolean sameType =
                points.stream().map(p -> p.sample().type()).distinct().count() == 1;
        Set<Map<String, String>> labelSets = new HashSet<>();
        boolean unique = points.stream().allMatch(p -> labelSets.add(p.sample().labels()));
        if (sameType && points.get(0).sample().type() == JmxExporterRules.Type.COUNTER) {
            CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
            points.forEach(p -> b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                    .labels(labels(p, unique))
                    .value(Math.max(0, p.value()))
                    .build()));
            return b.build();
        }
        if (sameType) {
            GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
            points.forEach(p -> b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(labels(p, unique))
                    .value(p.value())
                    .build()));
            return b.build();
        }
        UnknownSnapshot.Builder b = UnknownSnapshot.builder().name(name).help(help);
        points.forEach(p -> b.dataPoint(UnknownSnapshot.UnknownDataPointSnapshot.builder()
                .labels(labels(p, unique))
                .value(p.value())
                .build()));
        return b.build();
    }

    private static Labels labels(Point p, boolean unique) {
        Labels.Builder b = Labels.builder();
        p.sample().labels().forEach(b::label);
        if (!unique) {
            b.label("_objectname", p.objectName());
        }
        return b.build();
    }

    /** The numeric attributes JMX shows of {@code metric}, by attribute name, as Dropwizard's JmxReporter does. */
    static Map<String, Double> attributes(Metric metric) {
        Map<String, Double> a = new LinkedHashMap<>();
        if (metric instanceof Gauge<?> g) {
            Object v = g.getValue();
            if (v instanceof Number n) {
                a.put("Value", n.doubleValue());
            } else if (v instanceof Boolean bool) {
                a.put("Value", bool ? 1.0 : 0.0);
            }
            return a;
        }
        if (metric instanceof Counter c) {
            a.put("Count", (double) c.getCount());
            return a;
        }
        if (metric instanceof Sampling s) {
            double scale = metric instanceof Timer ? NANOS_PER_MS : 1;
            a.put("Count", (double) (metric instanceof Histogram h ? h.getCount() : ((Timer) metric).getCount()));
            Snapshot snap = s.getSnapshot();
            a.put("Max", snap.getMax() / scale);
            a.put("Mean", snap.getMean() / scale);
            a.put("Min", snap.getMin() / scale);
            a.put("StdDev", snap.getStdDev() / scale);
            for (int i = 0; i < PERCENTILES.length; i++) {
                a.put(PERCENTILES[i] + "Percentile", snap.getValue(QUANTILES[i]) / scale);
            }
        }
        if (metric instanceof Metered m) {
            a.put("Count", (double) m.getCount());
            a.put("MeanRate", m.getMeanRate());
            a.put("OneMinuteRate", m.getOneMinuteRate());
            a.put("FiveMinuteRate", m.getFiveMinuteRate());
            a.put("FifteenMinuteRate", m.getFifteenMinuteRate());
        }
        return a;
    }
}
