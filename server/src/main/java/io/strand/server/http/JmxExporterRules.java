package io.strand.server.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Prometheus names of Kafka's MBeans: the rules of the Prometheus JMX exporter's Kafka example,
 * {@code example_configs/kafka-2_0_0.yml} of prometheus/jmx_exporter ({@code lowercaseOutputName: true}),
 * applied as the exporter applies them. Each MBean attribute is written as the exporter matches it,
 * {@code domain<key1=value1, key2=value2><>Attribute: value} (keys in the ObjectName's order); each rule's
 * pattern must match the whole of it ({@code ^.*(?:pattern).*$}); the first rule that matches gives the
 * sample's name and labels ({@code $n} are the pattern's groups); the name's characters outside
 * {@code [a-zA-Z0-9:_]} become {@code _} (runs of them one), and it is lower-cased. An attribute no rule
 * matches is not exported (the Meter rates, Mean, Min, Max: the rule set exports counts, gauges and
 * percentiles). So, e.g.:
 *
 * <pre>
 * kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions  Value -> kafka_server_replicamanager_underreplicatedpartitions
 * kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=t  Count -> kafka_server_brokertopicmetrics_messagesin_total{topic="t"} (counter)
 * kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce  99thPercentile -> kafka_network_requestmetrics_totaltimems{request="Produce",quantile="0.99"}
 *                                                                   Count -> kafka_network_requestmetrics_totaltimems_count (counter)
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
final class JmxExporterRules {
    enum Type {
        COUNTER,
        GAUGE
    }

    /** What a rule made of one attribute: a sample's name, type and labels. */
    record Sample(String name, Type type, Map<String, String> labels) {}

    private record Rule(Pattern pattern, String name, Type type, List<String[]> labels) {}

    private static final List<Rule> KAFKA_2_0_0 = List.of(
            // special cases and very specific rules
            rule(
                    "kafka.server<type=(.+), name=(.+), clientId=(.+), topic=(.+), partition=(.*)><>Value",
                    "kafka_server_$1_$2",
                    Type.GAUGE,
                    "clientId",
                    "$3",
                    "topic",
                    "$4",
                    "partition",
                    "$5"),
            rule(
                    "kafka.server<type=(.+), name=(.+), clientId=(.+), brokerHost=(.+), brokerPort=(.+)><>Value",
                    "kafka_server_$1_$2",
                    Type.GAUGE,
                    "clientId",
                    "$3",
                    "broker",
                    "$4:$5"),
            rule("kafka.coordinator.(\\w+)<type=(.+), name=(.+)><>Value", "kafka_coordinator_$1_$2_$3", Type.GAUGE),
            // generic per-second counters with 0-2 key/value pairs
            rule(
                    "kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*, (.+)=(.+), (.+)=(.+)><>Count",
                    "kafka_$1_$2_$3_total",
                    Type.COUNTER,
                    "$4",
                    "$5",
                    "$6",
                    "$7"),
            rule(
                    "kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*, (.+)=(.+)><>Count",
                    "kafka_$1_$2_$3_total",
                    Type.COUNTER,
                    "$4",
                    "$5"),
            rule("kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*><>Count", "kafka_$1_$2_$3_total", Type.COUNTER),
            rule(
                    "kafka.server<type=(.+), client-id=(.+)><>([a-z-]+)",
                    "kafka_server_quota_$3",
                    Type.GAUGE,
                    "resource",
                    "$1",
                    "clientId",
                    "$2"),
            rule(
                    "kafka.server<type=(.+), user=(.+), client-id=(.+)><>([a-z-]+)",
                    "kafka_server_quota_$4",
                    Type.GAUGE,
                    "resource",
                    "$1",
                    "user",
                    "$2",
                    "clientId",
                    "$3"),
            // generic gauges with 0-2 key/value pairs
            rule(
                    "kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+), (.+)=(.+)><>Value",
                    "kafka_$1_$2_$3",
                    Type.GAUGE,
                    "$4",
                    "$5",
                    "$6",
                    "$7"),
            rule("kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+)><>Value", "kafka_$1_$2_$3", Type.GAUGE, "$4", "$5"),
            rule("kafka.(\\w+)<type=(.+), name=(.+)><>Value", "kafka_$1_$2_$3", Type.GAUGE),
            // Prometheus 'Summary' emulation for the histograms (without _sum)
            rule(
                    "kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+), (.+)=(.+)><>Count",
                    "kafka_$1_$2_$3_count",
                    Type.COUNTER,
                    "$4",
                    "$5",
                    "$6",
                    "$7"),
            rule(
                    "kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.*), (.+)=(.+)><>(\\d+)thPercentile",
                    "kafka_$1_$2_$3",
                    Type.GAUGE,
                    "$4",
                    "$5",
                    "$6",
                    "$7",
                    "quantile",
                    "0.$8"),
            rule(
                    "kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+)><>Count",
                    "kafka_$1_$2_$3_count",
                    Type.COUNTER,
                    "$4",
                    "$5"),
            rule(
                    "kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.*)><>(\\d+)thPercentile",
                    "kafka_$1_$2_$3",
                    Type.GAUGE,
                    "$4",
                    "$5",
                    "quantile",
                    "0.$6"),
            rule("kafka.(\\w+)<type=(.+), name=(.+)><>Count", "kafka_$1_$2_$3_count", Type.COUNTER),
            rule(
                    "kafka.(\\w+)<type=(.+), name=(.+)><>(\\d+)thPercentile",
                    "kafka_$1_$2_$3",
                    Type.GAUGE,
                    "quantile",
                    "0.$4"));

    private JmxExporterRules() {}

    private static Rule rule(String pattern, String name, Type type, String... labels) {
        List<String[]> pairs = new ArrayList<>();
        for (int i = 0; i < labels.length; i += 2) {
            pairs.add(new String[] {labels[i], labels[i + 1]});
        }
        return new Rule(Pattern.compile("^.*(?:" + pattern + ").*$"), name, type, List.copyOf(pairs));
    }

    /**
     * The sample the rule set makes of {@code attribute} (with {@code value}) of the MBean
     * {@code domain:keyProperties} ({@code keyProperties} as in the ObjectName, e.g.
     * {@code type=BrokerTopicMetrics,name=MessagesInPerSec,topic=t}), or null when no rule matches.
     */
    static Sample match(String domain, String keyProperties, String attribute, double value) {
        String matchName =
                domain + "<" + String.join(", ", splitKeyProperties(keyProperties)) + "><>" + attribute + ": " + value;
        for (Rule r : KAFKA_2_0_0) {
            Matcher m = r.pattern.matcher(matchName);
            if (!m.matches()) {
                continue;
            }
            String name = safeName(m.replaceAll(r.name)).toLowerCase(java.util.Locale.ROOT);
            if (name.isEmpty()) {
                return null;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            for (String[] l : r.labels) {
                m.reset();
                String labelName = safeName(m.replaceAll(l[0]));
                m.reset();
                String labelValue = m.replaceAll(l[1]);
                if (!labelName.isEmpty() && !labelValue.isEmpty()) {
                    labels.put(labelName, labelValue);
                }
            }
            return new Sample(name, r.type, labels);
        }
        return null;
    }

    /** {@code k1=v1,k2="v,2"} -> [{@code k1=v1}, {@code k2="v,2"}], in order (a quoted value may hold commas). */
    static List<String> splitKeyProperties(String keyProperties) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < keyProperties.length(); i++) {
            char c = keyProperties.charAt(i);
            if (quoted && c == '\\' && i + 1 < keyProperties.length()) {
                current.append(c).append(keyProperties.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    /** The exporter's safeName: characters outside {@code [a-zA-Z0-9:_]} become {@code _}, runs of {@code _} one. */
    static String safeName(String name) {
        StringBuilder b = new StringBuilder(name.length());
        if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
            b.append('_');
        }
        boolean underscore = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':';
            if (!legal || c == '_') {
                if (!underscore) {
                    b.append('_');
                    underscore = true;
                }
            } else {
                b.append(c);
                underscore = false;
            }
        }
        return b.toString();
    }
}
