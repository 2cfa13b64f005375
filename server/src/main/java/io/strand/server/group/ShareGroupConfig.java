package io.strand.server.group;

import io.strand.server.BrokerConfig;
import io.strand.server.GroupSettingsDefinition;
import org.apache.kafka.common.config.ConfigException;

/**
 * The settings of KIP-932 share groups' membership ({@code group.share.*} of
 * {@link GroupSettingsDefinition}). Immutable.
 *
 * @param enabled false if {@code group.coordinator.rebalance.protocols} leaves out {@code share}
 */
public record ShareGroupConfig(boolean enabled, int sessionTimeoutMs, int heartbeatIntervalMs, int maxSize) {

    public static final ShareGroupConfig DEFAULTS = new ShareGroupConfig(true, 45000, 5000, 200);

    static ShareGroupConfig from(BrokerConfig c) {
        int session = c.getInt(GroupSettingsDefinition.SHARE_SESSION_TIMEOUT_MS);
        int heartbeat = c.getInt(GroupSettingsDefinition.SHARE_HEARTBEAT_INTERVAL_MS);
        if (heartbeat >= session) {
            throw new ConfigException(
                    GroupSettingsDefinition.SHARE_HEARTBEAT_INTERVAL_MS,
                    heartbeat,
                    "must be less than group.share.session.timeout.ms (" + session + ")");
        }
        return new ShareGroupConfig(
                c.getList(GroupSettingsDefinition.REBALANCE_PROTOCOLS).contains("share"),
                session,
                heartbeat,
                c.getInt(GroupSettingsDefinition.SHARE_MAX_SIZE));
    }
}
