package io.strand.server.quota;

import io.strand.server.BrokerConfig;
import io.strand.server.QuotaSettingsDefinition;

/**
 * How client quotas are measured (Kafka's {@code quota.window.num} and {@code quota.window.size.seconds}):
 * over {@code samples} samples of {@code sampleSeconds} each. Immutable.
 */
public record QuotaConfig(int samples, int sampleSeconds) {
    /** Kafka's defaults: 11 samples of one second. */
    public static final QuotaConfig DEFAULT = new QuotaConfig(11, 1);

    public static QuotaConfig from(BrokerConfig c) {
        return new QuotaConfig(
                c.getInt(QuotaSettingsDefinition.QUOTA_WINDOW_NUM),
                c.getInt(QuotaSettingsDefinition.QUOTA_WINDOW_SIZE_SECONDS));
    }
}
