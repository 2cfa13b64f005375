package io.strand.tools.configs;

import com.beust.jcommander.Parameter;
import io.strand.tools.cli.UsageException;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Which configs a configs command works on: a topic's, one broker's, or the default of all brokers.
 * Composed into each configs command's flags with {@code @ParametersDelegate}.
 */
final class ConfigEntityFlags {
    @Parameter(
            names = {"-t", "--topic"},
            description = "The topic whose config overrides to work on")
    String topic;

    @Parameter(names = "--broker", description = "The broker (id) whose configs to work on")
    Integer broker;

    @Parameter(names = "--broker-default", description = "Work on the dynamic defaults of every broker")
    boolean brokerDefault;

    ConfigResource resource() {
        int given = (topic != null ? 1 : 0) + (broker != null ? 1 : 0) + (brokerDefault ? 1 : 0);
        if (given != 1) {
            throw new UsageException("give exactly one of --topic, --broker or --broker-default");
        }
        if (topic != null) {
            return new ConfigResource(ConfigResource.Type.TOPIC, topic);
        }
        if (broker != null) {
            if (broker < 0) {
                throw new UsageException("--broker must be a broker id (0 or more), was " + broker);
            }
            return new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(broker));
        }
        return new ConfigResource(ConfigResource.Type.BROKER, "");
    }

    /** "topic 'orders'", "broker 2", "the broker default". */
    static String describe(ConfigResource r) {
        if (r.type() == ConfigResource.Type.TOPIC) {
            return "topic '" + r.name() + "'";
        }
        return r.name().isEmpty() ? "the broker default" : "broker " + r.name();
    }
}
