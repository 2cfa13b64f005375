package io.strand.server.quota;

/**
 * The three client quotas, each with Kafka's config key, the metric group its sensors report under
 * ({@code kafka.server:type=<group>,user=..,client-id=..}) and the name of its measured rate. Immutable.
 */
public enum QuotaType {
    /** Bytes of produce requests per second. */
    PRODUCE("producer_byte_rate", "Produce", "byte-rate"),
    /** Bytes of fetch responses per second (consumers only; replication is never throttled by it). */
    FETCH("consumer_byte_rate", "Fetch", "byte-rate"),
    /** Percentage of one request-handler thread's time, per quota window (KIP-124). */
    REQUEST("request_percentage", "Request", "request-time");

    private final String configKey;
    private final String group;
    private final String rateMetric;

    QuotaType(String configKey, String group, String rateMetric) {
        this.configKey = configKey;
        this.group = group;
        this.rateMetric = rateMetric;
    }

    /** The quota's key in AlterClientQuotas, kafka-configs and ZooKeeper, e.g. {@code producer_byte_rate}. */
    public String configKey() {
        return configKey;
    }

    /** Kafka's metric group (and JMX {@code type=}): Produce, Fetch or Request. */
    public String group() {
        return group;
    }

    /** The name of the measured rate: {@code byte-rate} or {@code request-time}. */
    public String rateMetric() {
        return rateMetric;
    }
}
