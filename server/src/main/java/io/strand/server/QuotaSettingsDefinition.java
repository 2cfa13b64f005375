package io.strand.server;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The broker settings of client quotas (KIP-13, KIP-124), with Kafka's names and defaults: the
 * samples over which each client's byte rate and request time are measured; part of {@link
 * BrokerConfigDefinition#DEFINITION}. Read through {@link io.strand.server.quota.QuotaConfig#from}. Immutable.
 */
public final class QuotaSettingsDefinition {
    private QuotaSettingsDefinition() {}

    public static final String QUOTA_WINDOW_NUM = "quota.window.num";
    public static final String QUOTA_WINDOW_SIZE_SECONDS = "quota.window.size.seconds";

    static ConfigDef addTo(ConfigDef def) {
        return def.define(
                        QUOTA_WINDOW_NUM,
                        Type.INT,
                        11,
                        Range.atLeast(1),
                        Importance.LOW,
                        "Client quotas: the number of samples a client's byte rate and request time are measured"
                                + " over (the current one and the ones before it).")
                .define(
                        QUOTA_WINDOW_SIZE_SECONDS,
                        Type.INT,
                        1,
                        Range.atLeast(1),
                        Importance.LOW,
                        "Client quotas: the time span of each sample, in seconds; a request-quota throttle never"
                                + " exceeds one sample.");
    }
}
