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

    /**
     * The key property that names which attribute of a Kafka MBean a registry metric is, where Kafka's MBean
     * has several (the client-quota MBeans' {@code byte-rate} and {@code throttle-time}): the key is the
     * MBean's ObjectName plus {@code ,attribute=<name>}, e.g.
     * {@code kafka.server:type=Produce,user=alice,client-id=app,attribute=byte-rate}. The Prometheus endpoint
     * reads it as that attribute of that MBean; such keys are not published as MBeans of their own.
     */
    public static final String ATTRIBUTE = "attribute";

    /** The key of attribute {@code attribute} of the Kafka MBean {@code objectName} (see {@link #ATTRIBUTE}). */
    public static String attribute(String objectName, String attribute) {
        return objectName + "," + ATTRIBUTE + "=" + attribute;
    }

    public static boolean isKafkaName(String key) {
        return key.startsWith(PREFIX) && key.indexOf(':') > 0;
    }
}
