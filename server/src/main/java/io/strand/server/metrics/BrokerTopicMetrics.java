package io.strand.server.metrics;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Kafka's {@code kafka.server:type=BrokerTopicMetrics} meters: {@code MessagesInPerSec} and
 * {@code BytesInPerSec} (records and record bytes clients produced to partitions this broker leads),
 * {@code BytesOutPerSec} (record bytes sent to consumers), for all topics and per {@code topic=};
 * and, for all topics only, {@code ReplicationBytesInPerSec} (record bytes this broker's followers
 * fetched) and {@code ReplicationBytesOutPerSec} (record bytes sent to followers). A topic's meters
 * appear at its first record and are removed once this broker hosts no partition of it (deleted,
 * or moved away), as Kafka does.
 *
 * <p>Thread-safe: a topic's meters are only created while {@link #hosted} says the broker hosts it,
 * under the same map entry that {@link #removeTopic} removes, so a late record cannot bring back a
 * removed topic's meters.
 */
public final class BrokerTopicMetrics {
    static final String GROUP = "kafka.server";
    static final String TYPE = "BrokerTopicMetrics";
    public static final String MESSAGES_IN = "MessagesInPerSec";
    public static final String BYTES_IN = "BytesInPerSec";
    public static final String BYTES_OUT = "BytesOutPerSec";
    private static final List<String> PER_TOPIC = List.of(MESSAGES_IN, BYTES_IN, BYTES_OUT);

    private final MetricRegistry registry;
    private final Meters all;
    private final Meter replicationBytesIn;
    private final Meter replicationBytesOut;
    private final ConcurrentHashMap<String, Meters> topics = new ConcurrentHashMap<>();
    private volatile Predicate<String> hosted = topic -> false;

    private record Meters(Meter messagesIn, Meter bytesIn, Meter bytesOut) {}

    BrokerTopicMetrics(MetricRegistry registry) {
        this.registry = registry;
        this.all = new Meters(
                registry.meter(key(MESSAGES_IN, null)),
                registry.meter(key(BYTES_IN, null)),
                registry.meter(key(BYTES_OUT, null)));
        this.replicationBytesIn = registry.meter(key("ReplicationBytesInPerSec", null));
        this.replicationBytesOut = registry.meter(key("ReplicationBytesOutPerSec", null));
    }

    /** The registry key of meter {@code name}, for {@code topic} (null: all topics). */
    public static String key(String name, String topic) {
        return topic == null
                ? KafkaMetricNames.name(GROUP, TYPE, name)
                : KafkaMetricNames.name(GROUP, TYPE, name, "topic", topic);
    }

    /** Which topics this broker hosts a partition of (the replica manager's view). */
    public void hostedTopics(Predicate<String> hosted) {
        this.hosted = hosted;
    }

    /** A client's records appended to a partition of {@code topic} this broker leads. */
    public void produced(String topic, long messages, long bytes) {
        all.messagesIn.mark(messages);
        all.bytesIn.mark(bytes);
        Meters t = topic(topic);
        if (t != null) {
            t.messagesIn.mark(messages);
            t.bytesIn.mark(bytes);
        }
    }

    /** Record bytes of {@code topic} in a fetch response to a consumer. */
    public void sentToConsumer(String topic, long bytes) {
        all.bytesOut.mark(bytes);
        Meters t = topic(topic);
        if (t != null) {
            t.bytesOut.mark(bytes);
        }
    }

    /** Record bytes in a fetch response to a follower. */
    public void sentToFollower(long bytes) {
        replicationBytesOut.mark(bytes);
    }

    /** Record bytes this broker's replica fetchers appended. */
    public void replicated(long bytes) {
        replicationBytesIn.mark(bytes);
    }

    private Meters topic(String topic) {
        Meters t = topics.get(topic);
        if (t != null) {
            return t;
        }
        return topics.computeIfAbsent(
                topic,
                name -> hosted.test(name)
                        ? new Meters(
                                registry.meter(key(MESSAGES_IN, name)),
                                registry.meter(key(BYTES_IN, name)),
                                registry.meter(key(BYTES_OUT, name)))
                        : null);
    }

    /** Removes {@code topic}'s meters (this broker no longer hosts any partition of it). */
    public void removeTopic(String topic) {
        topics.computeIfPresent(topic, (name, meters) -> {
            PER_TOPIC.forEach(m -> registry.remove(key(m, name)));
            return null;
        });
    }
}
