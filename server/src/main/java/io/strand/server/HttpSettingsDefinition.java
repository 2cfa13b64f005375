package io.strand.server;

import io.strand.server.http.HttpListenerAddress;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The setting of the broker's read-only HTTP listener (Prometheus metrics at {@code /metrics}, the
 * status page at {@code /}); part of {@link BrokerConfigDefinition#DEFINITION}. Read through
 * {@link HttpListenerAddress#from}. Immutable.
 */
public final class HttpSettingsDefinition {
    private HttpSettingsDefinition() {}

    public static final String METRICS_HTTP_LISTENER = "metrics.http.listener";
    public static final String METRICS_CONSUMER_LAG_INTERVAL_MS = "strand.metrics.consumer.lag.interval.ms";

    private static final class AddressValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                HttpListenerAddress.parse((String) value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "empty, or http://host:port";
        }
    }

    static ConfigDef addTo(ConfigDef def) {
        addConsumerLag(def);
        return def.define(
                METRICS_HTTP_LISTENER,
                Type.STRING,
                "",
                new AddressValidator(),
                Importance.MEDIUM,
                "The broker's HTTP listener for Prometheus metrics (/metrics) and the read-only status page (/),"
                        + " as http://host:port (port 0 = any free port); empty = no HTTP listener. It binds only"
                        + " the address named, so it is reachable off this host only when a non-loopback address"
                        + " (or 0.0.0.0) is configured.");
    }

    private static void addConsumerLag(ConfigDef def) {
        def.define(
                METRICS_CONSUMER_LAG_INTERVAL_MS,
                Type.LONG,
                30_000L,
                ConfigDef.Range.atLeast(0),
                Importance.LOW,
                "How often the broker samples the lag of the consumer groups it coordinates (the"
                        + " kafka.server:type=ConsumerLag metrics, kafka_consumergroup_lag in Prometheus): high"
                        + " watermark minus committed offset per group and partition. 0 = never.");
    }
}
