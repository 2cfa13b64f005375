package io.strand.tools.configs;

import io.strand.tools.cli.BrokerFlags;
import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.KafkaAdmin;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** The IncrementalAlterConfigs call of {@code configs set} and {@code configs delete}. Stateless. */
final class ConfigsAlter {
    private ConfigsAlter() {}

    /**
     * Sets and deletes overrides of {@code resource}; a failure is a {@link CliException} naming it.
     *
     * @param what what the call does, for messages: "setting configs of"
     */
    static void apply(
            BrokerFlags cluster,
            ConfigResource resource,
            Map<String, String> set,
            Collection<String> delete,
            String what) {
        try (KafkaAdmin admin = KafkaAdmin.open(cluster)) {
            admin.alterConfigs(resource, set, delete, what + " " + ConfigEntityFlags.describe(resource));
        } catch (UnknownTopicOrPartitionException e) {
            throw new CliException(Failures.unknownTopic(resource.name(), ""), e);
        } catch (ApiException e) {
            throw new CliException(
                    "cannot change the configs of " + ConfigEntityFlags.describe(resource) + ": "
                            + Failures.describe(e),
                    e);
        }
    }
}
