package io.strand.tools.configs;

import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.UsageException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What {@code configs set} and {@code configs delete} share: their --config check, the
 * IncrementalAlterConfigs call, and the shape of what they print. Stateless.
 */
final class ConfigsAlter {
    private ConfigsAlter() {}

    /** The --config values, or a usage error if there are none. */
    static List<String> required(List<String> configs) {
        if (configs.isEmpty()) {
            throw new UsageException("missing required flag --config");
        }
        return configs;
    }

    /**
     * Sets and deletes overrides of {@code resource}; a failure is a {@link CliException} naming it.
     *
     * @param what what the call does, for messages: "setting configs of"
     */
    static void apply(
            ConfigsFlags flags,
            ConfigResource resource,
            Map<String, String> set,
            Collection<String> delete,
            String what) {
        try (KafkaAdmin admin = flags.common.openAdmin()) {
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

    /**
     * Prints what changed: with --json {"resource": "...", FIELD: VALUE}, otherwise "DONE RESOURCE.".
     *
     * @param done the sentence before the resource: "Set a=1 on"
     */
    static void printDone(Io io, ConfigsFlags flags, ConfigResource resource, String field, Object value, String done) {
        String described = ConfigEntityFlags.describe(resource);
        flags.common.print(
                io,
                () -> Json.object("resource", described, field, value),
                () -> io.println(done + " " + described + "."));
    }
}
