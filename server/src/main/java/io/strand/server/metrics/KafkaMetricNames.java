package io.strand.server.metrics;

import org.apache.kafka.common.utils.internals.Sanitizer;

/**
 * Builds the registry key of a metric that carries one of Kafka's JMX names: the MBean ObjectName
 * string itself, in Kafka's key order ({@code domain:type=T,name=N,tag1=v1,...}), e.g.
 * {@code kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=orders}. A tag value that
 * an ObjectName cannot hold as it is (a group id with a comma, say) is quoted as Kafka quotes it
 * ({@code Sanitizer.jmxSanitize}). {@link KafkaObjectNames} turns such a key into that MBean name.
 * Stateless.
 */
public final class KafkaMetricNames {
    /** Every key of a Kafka-named metric starts with this. */
    public static final String PREFIX = "kafka.";

    private KafkaMetricNames() {}

    /**
     * @param group the JMX domain, e.g. {@code kafka.server}
     * @param tags  tag names and values, alternating, in Kafka's order
     */
    public static String name(String group, String type, String name, String... tags) {
        if (!group.startsWith(PREFIX) || tags.length % 2 != 0) {
            throw new IllegalArgumentException(group + " / " + tags.length + " tag parts");
        }
        StringBuilder b = new StringBuilder(group)
                .append(":type=")
                .append(type)
                .append(",name=")
                .append(name);
        for (int i = 0; i < tags.length; i += 2) {
            b.append(',').append(tags[i]).append('=').append(Sanitizer.jmxSanitize(tags[i + 1]));
        }
        return b.toString();
    }

    public static boolean isKafkaName(String key) {
        return key.startsWith(PREFIX) && key.indexOf(':') > 0;
    }
}
